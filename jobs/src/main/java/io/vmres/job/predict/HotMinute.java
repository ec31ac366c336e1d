package io.vmres.job.predict;

/**
 * One whole UTC minute of a host's CPU temperature samples: hot when every sample of it is at or
 * above the threshold. A minute without samples has no record, which breaks a run of hot ones.
 */
public record HotMinute(String host, String cluster, long start, boolean hot) {}
