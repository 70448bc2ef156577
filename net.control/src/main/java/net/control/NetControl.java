package net.control;

import java.util.List;
import java.util.Map;
import net.api.NetException;
import net.control.dto.DriverDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;
import net.control.dto.StatisticsDTO;
import net.api.RxFilterInfo;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The control service: netdevs, filters and NICs, links and queries, with QEMU's semantics and
 * error texts. Arguments are JSON-like trees (maps, lists, strings, numbers, booleans) named as in
 * QEMU's QAPI schema; values may be typed (QMP) or strings (command line, configuration files).
 * Thread-safe. A call returns once the event loops have applied the change and the drivers have
 * opened or released what it concerns; two calls on the same netdev, filter or NIC run one after
 * the other, calls on different ones and queries go on meanwhile (a query never waits for a
 * driver's {@code release()}). Never call it on an event loop.
 */
@ProviderType
public interface NetControl {

    /**
     * Adds a netdev, filter object or NIC. Fails when no driver of the type is registered.
     *
     * @param section   what is added
     * @param arguments the arguments, including {@link Section#typeKey()} and {@code id}
     * @return the name of what was added: its id, or the name the runtime gave it ({@code -net}
     *         backends and NICs without an id, e.g. {@code socket.0})
     * @throws NetException with QEMU's error, and nothing is left behind
     */
    String add(Section section, Map<String, Object> arguments) throws NetException;

    /**
     * Declares a netdev, filter object or NIC that follows its driver: when no driver of its type
     * is registered it is kept pending and opened as soon as one registers. Ids, references and
     * syntax are checked at once; the options are bound when the driver is there.
     *
     * @param section   what is declared
     * @param arguments as for {@link #add}
     * @return the name of what was declared, as for {@link #add}
     * @throws NetException with QEMU's error, and nothing is left behind
     */
    String declare(Section section, Map<String, Object> arguments) throws NetException;

    /**
     * Declares as {@link #declare} does, for a topology kept in files, which are taken up in no
     * particular order: a netdev that a hubport's {@code netdev=} names and that does not exist yet
     * is waited for, as a missing driver is, and the port joins it when it is added. A backend
     * netdev its driver refuses (its options, or the driver's {@code open}), or a hubport whose
     * options are refused, stays, in state {@code failed} with the reason, as the file still
     * declares it; {@link #update} opens it again.
     *
     * @param section   what is declared
     * @param arguments as for {@link #add}
     * @return the name of what was declared, as for {@link #add}
     * @throws NetException with QEMU's error, and nothing is left behind (a refused netdev aside)
     * @since 2.1
     */
    String declareAwaiting(Section section, Map<String, Object> arguments) throws NetException;

    /**
     * Lists a netdev file the runtime can keep nothing of (it has no {@code id}, or one QEMU
     * refuses or another netdev has, or no {@code type}) where the netdevs are listed: an entry
     * called {@code name}, in state {@code failed} with QEMU's error, that never opens.
     * {@link #netdevDel} removes it, as when the file changes or goes.
     *
     * @param name      what the listing calls it, e.g. the file's name
     * @param arguments the file's options, shown as the entry's
     * @param reason    QEMU's error for them, e.g. {@code Parameter 'id' is missing}
     * @throws NetException when the name is taken
     * @since 2.1
     */
    void declareRefused(String name, Map<String, Object> arguments, String reason) throws NetException;

    /**
     * Replaces the options of a declared netdev, filter or NIC and reopens it in place. A netdev
     * or NIC keeps its peer, hub port and filters, even when the new options name another type; a
     * filter keeps its place in the chain. Some things are made afresh instead: a hubport (its hub
     * and peer are its options; a netdev it names waits, as for {@link #declareAwaiting}), and a
     * filter whose type, netdev or queue changes or whose arguments give a position.
     *
     * @param section   what is changed
     * @param arguments the new arguments; type and id must name an existing entry
     * @throws NetException when it does not exist or the new options are invalid
     */
    void update(Section section, Map<String, Object> arguments) throws NetException;

    /**
     * Deletes a netdev ({@code netdev_del}): its filters are deleted, its peer detached, frames it
     * queued purged.
     *
     * @param id the netdev id
     * @throws NetException DeviceNotFound when there is none, GenericError when it is not a netdev
     */
    void netdevDel(String id) throws NetException;

    /**
     * Deletes a filter object ({@code object-del}).
     *
     * @param id the object id
     * @throws NetException when there is none
     */
    void objectDel(String id) throws NetException;

    /**
     * Deletes a NIC ({@code device_del}).
     *
     * @param id the device id
     * @throws NetException when there is none
     */
    void deviceDel(String id) throws NetException;

    /**
     * Sets a client's link ({@code set_link}), with QEMU's rules for peers.
     *
     * @param name a netdev id or NIC name
     * @param up   the new state
     * @throws NetException DeviceNotFound when no client has that name
     */
    void setLink(String name, boolean up) throws NetException;

    /**
     * Turns a filter object on or off ({@code qom-set /objects/ID status}): a filter that is off
     * passes every frame on untouched, and stays open (a capture keeps its file).
     *
     * @param id the object id
     * @param on the new status
     * @throws NetException GenericError when there is no such filter object
     * @since 2.1
     */
    void setFilterStatus(String id, boolean on) throws NetException;

    /** @return the whole topology: hubs, netdevs, NICs and filters, with counters */
    NetworkDTO network();

    /**
     * What the runtime measured: every client's rates over its last sampling interval (it samples
     * all counters once a second while anyone asks for them: the first call after a minute without
     * one starts it again, and finds no rates yet), hub totals and event-loop counters now, and a generation that tells a front end when to ask for {@link #network()} again. Costs
     * one hand-over per event loop, as {@link #network()} does, but describes nothing.
     *
     * @return the statistics
     * @since 2.1
     */
    StatisticsDTO statistics();

    /**
     * @param name a netdev id or NIC name
     * @return that client, with counters
     * @throws NetException DeviceNotFound when no client has that name
     */
    NetClientDTO client(String name) throws NetException;

    /** @return the drivers registered now, and the built-in types */
    List<DriverDTO> drivers();

    /**
     * The option records of the types that can be instantiated now, for schemas
     * ({@code query-qmp-schema}): components named as QAPI members, as drivers declare them.
     *
     * @param section {@code NETDEV} (the built-in {@code hubport} first), {@code OBJECT} (filters)
     *                or {@code DEVICE} (NIC models); {@code NET} gives the netdev types
     * @return the record class per type, in the order {@link #drivers()} lists them
     * @since 2.1
     */
    Map<String, Class<?>> optionTypes(Section section);

    /**
     * {@code query-rx-filter}: the receive filters of NICs that can report them. Querying a NIC
     * re-arms its {@code NIC_RX_FILTER_CHANGED} event.
     *
     * @param name a NIC's name, or null for every NIC that can report
     * @return the filters; empty when no NIC can report
     * @throws NetException GenericError when the name is no NIC, or a NIC that cannot report
     */
    List<RxFilterInfo> queryRxFilter(String name) throws NetException;

    /**
     * {@code announce-self}: each NIC sends QEMU's self-announcement, a RARP request from its MAC
     * (the {@code main-mac} it reports for {@code query-rx-filter}; a NIC that reports none sends
     * nothing), {@code rounds} times: the first before this returns, the next {@code initial} ms
     * later, each following pause {@code step} ms longer, no pause longer than {@code max} (a
     * negative one is {@code max}). A NIC whose link is down sends nothing, as in QEMU. An
     * announcement with the id of one still running replaces it; others run side by side.
     *
     * @param initial    the first pause, ms
     * @param max        the longest pause, ms
     * @param rounds     how many times each NIC announces itself
     * @param step       how much each pause grows, ms
     * @param interfaces the names of the NICs that announce, or null for every NIC
     * @param id         the announcement's id, or null (QEMU's default: one shared unnamed one)
     * @since 2.1
     */
    void announceSelf(long initial, long max, long rounds, long step, List<String> interfaces, String id);

    /**
     * Ends start-up. A runtime may be held from its start (the launcher asks for it): its event
     * loops run control operations but read from no netdev and run no timer, so that nothing flows
     * until everything given at start-up is in place, as QEMU applies its whole command line
     * before its main loop polls anything. This lets frames flow: first the connections that
     * became pending meanwhile are accepted or completed, then every netdev is read. The runtime
     * ends the hold itself after a bounded time if nobody calls this. Does nothing when the
     * runtime is not held, or no longer.
     */
    void startupComplete();
}
