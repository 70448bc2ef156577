package net.nic;

import java.math.BigInteger;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetException;
import net.api.NicModel;
import net.api.NicType;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code -device dhcp-probe,netdev=ID[,interval=SECONDS][,mac=MAC]}: a PXE-booting machine's first
 * step, without the machine: a DHCPDISCOVER every {@code interval} seconds (3 by default), and a
 * count of the offers that answer it. See {@link DhcpProbe}.
 */
@Component(service = NicModel.class)
@NicType(DhcpProbeModel.MODEL)
public final class DhcpProbeModel implements NicModel<DhcpProbeModel.Options> {

    static final String MODEL = "dhcp-probe";
    static final long DEFAULT_INTERVAL = 3;

    /**
     * @param mac      the NIC's address; QEMU's next default when absent
     * @param interval seconds between DHCPDISCOVERs, a uint32 of at least 1; 3 when absent. Text,
     *                 so that a bad value gets the words QEMU's {@code -device} has for it.
     */
    public record Options(String mac, String interval) {
    }

    private final MacTable macs;

    @Activate
    public DhcpProbeModel(@Reference MacTable macs) {
        this.macs = macs;
    }

    @Override
    public Class<Options> optionsType() {
        return Options.class;
    }

    @Override
    public NetClient open(Options options, NetClientContext context) throws NetException {
        long interval = options.interval() == null ? DEFAULT_INTERVAL : interval(options.interval());
        MacAddress mac = options.mac() == null ? null : MacAddress.parse(MODEL, options.mac());
        return new DhcpProbe(mac, interval, macs, context);
    }

    /**
     * Reads {@code interval} as QEMU reads a uint32 device property (C's {@code strtoull} with base
     * 0: leading blanks and a sign allowed, {@code 0x} hex, a leading {@code 0} octal):
     * {@code expects integer} for what is no number, {@code expects uint32_t} out of range (negative
     * included); 0, no probing at all, is refused as a bad value.
     */
    static long interval(String text) throws NetException {
        String digits = text.stripLeading();
        boolean negative = digits.startsWith("-");
        if (negative || digits.startsWith("+")) {
            digits = digits.substring(1);
        }
        int radix = 10;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            radix = 16;
            digits = digits.substring(2);
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            radix = 8;
            digits = digits.substring(1);
        }
        int base = radix;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c < 0x80 && Character.digit(c, base) >= 0)) {
            throw NetException.generic("Parameter 'interval' expects integer");
        }
        BigInteger value = new BigInteger(digits, radix);
        if (negative && value.signum() != 0 || value.bitLength() > 32) {
            throw NetException.generic("Parameter 'interval' expects uint32_t");
        }
        if (value.signum() == 0) {
            throw NetException.generic("Property '%s.interval' doesn't take value '%s'", MODEL, text);
        }
        return value.longValue();
    }
}
