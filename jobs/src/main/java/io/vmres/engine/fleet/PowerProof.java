package io.vmres.engine.fleet;

/**
 * The spec's Power proof: when is a host's power proven off. A reading is believed only while
 * nothing contradicts it: an {@code off} that the host contradicted by speaking afterwards (a BMC
 * glitch, a reading from before a repair) proves nothing, however long no newer reading comes; a
 * host that spoke, or whose own BMC read {@code on}, after its power domain read {@code off} is fed
 * some other way. Evaluated with the readings and heartbeats applied so far (every one with a ts at
 * or before the instant judged).
 */
final class PowerProof {
    private PowerProof() {}

    /** Its own latest reading is off, and no heartbeat of it came later than that reading. */
    static boolean ownReading(HostState hs) {
        return "off".equals(hs.power()) && hs.lastBeatAny() <= hs.powerTs();
    }

    /**
     * Its power domain's latest reading is off, and neither a heartbeat nor an own reading {@code
     * on} of the host came later than that reading.
     */
    static boolean domainReading(HostState hs, Fleet.DomainReading domain) {
        return domain != null
                && "off".equals(domain.state())
                && hs.lastBeatAny() <= domain.ts()
                && hs.lastOnTs() <= domain.ts();
    }
}
