package io.vmres.deploy.runtime.cluster;

/**
 * One process of the local cluster.
 *
 * @param name its name, the name of its pid and log files ({@code kafka-1}, {@code jobmanager},
 *     {@code taskmanager-1}, {@code fleet})
 * @param port the port clients reach it at, 0 for none
 */
public record Part(String name, int port) {}
