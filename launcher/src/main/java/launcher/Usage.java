package launcher;

/** The text of {@code --help} and {@code --version}. */
final class Usage {

    private Usage() {
    }

    /** @return {@code patchbay VERSION}, from the jar's manifest */
    static String version() {
        String version = Usage.class.getPackage().getImplementationVersion();
        return "patchbay " + (version == null ? "(development build)" : version);
    }

    /** @return the usage text, ending with a newline */
    static String text() {
        return """
                Usage: patchbay [options]

                Runs QEMU's virtual network layer (netdevs, hubs, filters, NICs) as an OSGi runtime
                whose drivers are bundles that can come and go while it runs.

                Network options, in QEMU's syntax (a comma inside a value is written ",,"); each may
                be repeated and they are applied in order, after the netdev files in the deploy
                directory. As in QEMU, no frame is read from any netdev before all of them are in
                place; then QEMU's start-up warnings follow (e.g. "netdev s0 has no peer"):
                  -netdev TYPE,id=ID[,KEY=VALUE...]   add a netdev: a backend or a hubport
                  -net TYPE[,KEY=VALUE...]            legacy form: a backend on a port of hub 0 (vlan=N: hub N)
                  -object TYPE,id=ID[,KEY=VALUE...]   add a netfilter object, e.g. filter-dump
                  -chardev socket,id=ID,path=P|host=H,port=N[,server=on,wait=off][,reconnect=S]
                                                      add a socket chardev (made first), e.g. for filter-mirror
                  -device MODEL,netdev=ID[,...]       add an in-process NIC
                  -nic TYPE[,id=ID],model=MODEL[,mac=MAC][,KEY=VALUE...]
                                                      a netdev of TYPE and a NIC of MODEL on it (the NIC
                                                      takes mac= and the options only MODEL has);
                                                      -nic none adds nothing
                  -net nic,model=MODEL[,macaddr=MAC]  legacy form: a NIC on a port of hub 0
                  -netdev help, -object help, -device help, -nic TYPE,model=help
                                                      list the installed types (deployed drivers too) and exit

                Management:
                  -qmp tcp:HOST:PORT,server=on[,wait=off]   QMP server on a TCP port (port 0: any free one;
                                                            empty HOST: all interfaces, with a warning)
                  -qmp unix:PATH,server=on[,wait=off]       QMP server on a unix socket (mode 0600)
                  -qmp tcp:HOST:PORT | unix:PATH            without server=on, as QEMU: connect to a
                                                            listening QMP client (e.g. socat TCP-LISTEN)
                                  repeatable; default: unix:./patchbay-qmp.sock; -qmp none: no QMP
                                  Patchbay's suboptions: max-clients=N at once (default 1024),
                                  max-queued=SIZE bytes waiting per client, then it is cut (default 1M),
                                  remote=on to listen on a named non-loopback address (QMP is
                                  unauthenticated and root-equivalent)

                Monitoring (off unless asked for):
                  -http HOST:PORT[,remote=on]   serve the topology page (/) and Prometheus metrics
                                  (/metrics) over HTTP, e.g. -http 127.0.0.1:9100 (port 0: any free
                                  one; the banner says which); loopback only unless remote=on (the
                                  page is unauthenticated and can cut links). Or a file
                                  org.apache.felix.http.cfg in the deploy directory, with
                                  org.apache.felix.http.enable=true and org.osgi.service.http.port=PORT

                Patchbay's options:
                  --deploy DIR    watch DIR for driver bundles (*.jar) and netdev files
                                  (net.netdev-ID.cfg); default: deploy, created if missing (the
                                  banner says so). One Patchbay per DIR: a second one is refused,
                                  naming the first (it holds DIR/.patchbay.lock while it runs)
                  --no-console    run as a service: no console, stop with SIGTERM or Ctrl-C
                  --verbose       log at DEBUG level (default INFO); the log goes to stderr
                  --version       print the version and exit
                  --help          print this text and exit

                Examples:
                  patchbay -netdev hubport,id=h1,hubid=1 -netdev hubport,id=h2,hubid=1
                  patchbay -netdev socket,id=s1,listen=127.0.0.1:11122 -netdev hubport,id=h1,hubid=1,netdev=s1
                  patchbay --no-console --deploy /srv/patchbay/deploy

                Drivers built in: netdevs socket, stream, dgram, tap, bridge, user, l2tpv3, vde, dump,
                  vhost-user, vhost-user-backend (and hubport); filters filter-dump, filter-mirror,
                  filter-redirector, filter-buffer; NIC models (-device) are sink, responder, echo and
                  dhcp-probe. More come as bundles dropped into the deploy directory.

                At the console: net:netdevs, net:add TYPE,id=ID,KEY=VALUE... (or TYPE id=ID KEY=VALUE...),
                net:del ID, net:link ID on|off, net:drivers, net:capture NETDEV[,NETDEV...] [FILE|-]
                [group=G,mode=M], net:stats [ID] [--watch [SECONDS]] [--reset] (live rates until Ctrl-C;
                counts since a reset, in this console only); help lists the commands; quit stops
                Patchbay as QEMU's quit does.
                """;
    }
}
