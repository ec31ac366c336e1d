package io.vmres.connector.power;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import org.snmp4j.CommunityTarget;
import org.snmp4j.PDU;
import org.snmp4j.Snmp;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.smi.Address;
import org.snmp4j.smi.GenericAddress;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

/**
 * Reads a UPS (or a PDU that implements the UPS-MIB) over SNMP v2c with SNMP4J: one GET of {@code
 * upsOutputSource.0} and {@code upsBatteryStatus.0} (RFC 1628). The output reads {@code off} only
 * when {@code upsOutputSource} is {@code none(2)}; no answer, an error status, a missing object or
 * a value out of the MIB is {@code unknown}. The battery status is told in the detail only.
 */
public final class SnmpUps implements PduReader {
    private final Snmp snmp;
    private final Address address;
    private final OctetString community;
    private final int retries;

    /**
     * @param snmp the SNMP session, shared by every UPS of the connector (closed by its owner)
     * @param address the agent, {@code udp:10.0.0.7/161}
     * @param community the v2c community
     * @param retries requests sent again after a timeout
     */
    public SnmpUps(Snmp snmp, String address, String community, int retries) {
        this.snmp = snmp;
        this.address = GenericAddress.parse(address);
        if (this.address == null) {
            throw new IllegalArgumentException("'" + address + "' is not an SNMP address");
        }
        this.community = new OctetString(community);
        this.retries = retries;
    }

    @Override
    public boolean hasOutlets() {
        return false;
    }

    @Override
    public PduReading read(Set<String> outlets, long timeoutNanos) {
        CommunityTarget<Address> target = new CommunityTarget<>(address, community);
        target.setVersion(SnmpConstants.version2c);
        target.setRetries(retries);
        // SNMP4J waits this long for each of the 1 + retries requests.
        target.setTimeout(Math.max(1, timeoutNanos / 1_000_000 / (retries + 1)));
        PDU pdu = new PDU();
        pdu.setType(PDU.GET);
        pdu.add(new VariableBinding(new OID(UpsMib.UPS_OUTPUT_SOURCE)));
        pdu.add(new VariableBinding(new OID(UpsMib.UPS_BATTERY_STATUS)));
        ResponseEvent<Address> event;
        try {
            event = snmp.send(pdu, target);
        } catch (IOException e) {
            return PduReading.unknown("SNMP request failed: " + e.getMessage());
        }
        PDU response = event == null ? null : event.getResponse();
        if (response == null) {
            return PduReading.unknown("no SNMP answer from " + address);
        }
        if (response.getErrorStatus() != PDU.noError) {
            return PduReading.unknown("SNMP error " + response.getErrorStatusText());
        }
        Long source = integer(response, UpsMib.UPS_OUTPUT_SOURCE);
        if (source == null) {
            return PduReading.unknown("no integer upsOutputSource in the answer");
        }
        Long battery = integer(response, UpsMib.UPS_BATTERY_STATUS);
        return new PduReading(
                UpsMib.outputState(source),
                Map.of(),
                "upsOutputSource "
                        + UpsMib.outputSourceName(source)
                        + (battery == null
                                ? ""
                                : ", upsBatteryStatus " + UpsMib.batteryStatusName(battery)));
    }

    private static Long integer(PDU response, String oid) {
        OID want = new OID(oid);
        for (VariableBinding vb : response.getVariableBindings()) {
            if (vb.getOid().equals(want)) {
                Variable v = vb.getVariable();
                return v instanceof Integer32 i && !v.isException() ? (long) i.getValue() : null;
            }
        }
        return null;
    }
}
