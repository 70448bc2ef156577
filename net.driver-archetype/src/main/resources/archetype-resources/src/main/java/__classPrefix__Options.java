package ${package};

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The options of {@code -netdev ${type},id=ID,remote=HOST:PORT[,local=HOST:PORT]}. The runtime
 * binds the user's options into this record before {@link ${classPrefix}Driver#open} sees it: an
 * unknown key or a missing {@code remote} is refused in QEMU's words without code here. Name the
 * components as the option keys ({@code @JsonProperty("poll-us")} where a key is no Java name);
 * {@code id} and {@code type} are the runtime's and never reach the record.
 *
 * @param local  the address the socket is bound to, {@code host:port}; default
 *               {@value #DEFAULT_LOCAL} (port 0: the kernel picks one, {@code info} shows which)
 * @param remote where frames are sent, {@code host:port}; required
 */
public record ${classPrefix}Options(String local, @JsonProperty(required = true) String remote) {

    /** The loopback address and a port the kernel chooses. */
    public static final String DEFAULT_LOCAL = "127.0.0.1:0";

    /** Applies the default of {@code local}. */
    public ${classPrefix}Options {
        if (local == null) {
            local = DEFAULT_LOCAL;
        }
    }
}
