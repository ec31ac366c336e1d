package io.vmres.engine.fleet;

import java.util.TreeSet;

/** The racks and power domains failed now: shared by 2+ hosts of an unresolved failure. */
public record FailedDomains(TreeSet<String> racks, TreeSet<String> powerDomains) {}
