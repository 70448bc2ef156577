package net.hub;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.api.NetException;
import net.hub.data.NetFilterState;

/**
 * Where a filter goes in its netdev's chain: QEMU's {@code position} ({@code head}, {@code tail} or
 * {@code id=<filter>}) and {@code insert} ({@code before} or {@code behind} that filter). Chains
 * are arrays replaced on the netdev's loop, so the frame path reads them without locks.
 *
 * @param position {@code head}, {@code tail} or {@code id=<filter>}
 * @param before   whether to go before the named filter
 */
record FilterPlacement(String position, boolean before) {

    /** Takes {@code position} and {@code insert} out of the arguments and checks their syntax. */
    static FilterPlacement take(Map<String, Object> args) throws NetException {
        String position = args.containsKey("position") ? String.valueOf(args.remove("position")) : "tail";
        Object insert = args.remove("insert");
        boolean before;
        if (insert == null || "behind".equals(String.valueOf(insert))) {
            before = false;
        } else if ("before".equals(String.valueOf(insert))) {
            before = true;
        } else {
            throw NetException.generic("Parameter 'insert' does not accept value '%s'", insert);
        }
        String p = position.toLowerCase(Locale.ROOT);
        if (!p.equals("head") && !p.equals("tail") && !position.startsWith("id=")) {
            throw NetException.generic("Parameter 'position' expects 'head', 'tail' or 'id=<id>'");
        }
        return new FilterPlacement(position, before);
    }

    /** @return the filter id a position {@code id=<filter>} names, else null */
    String anchor() {
        return position.startsWith("id=") ? position.substring(3) : null;
    }

    /**
     * @param chain  the chain, head first
     * @param anchor the filter {@link #anchor()} names, or null
     * @return the chain with {@code filter} put in its place
     */
    NetFilterState[] insert(NetFilterState[] chain, NetFilterState filter, NetFilterState anchor) {
        int index = switch (position.toLowerCase(Locale.ROOT)) {
            case "head" -> 0;
            case "tail" -> chain.length;
            default -> {
                int at = Arrays.asList(chain).indexOf(anchor);
                yield at < 0 ? chain.length : before ? at : at + 1;
            }
        };
        List<NetFilterState> list = new ArrayList<>(List.of(chain));
        list.add(Math.min(index, list.size()), filter);
        return list.toArray(new NetFilterState[0]);
    }

    /** @return the chain without {@code gone} */
    static NetFilterState[] without(NetFilterState[] chain, NetFilterState gone) {
        return Arrays.stream(chain).filter(f -> f != gone).toArray(NetFilterState[]::new);
    }
}
