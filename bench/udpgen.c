/*
 * udpgen - paced UDP load for the relay benchmarks (issue 22): one frame per datagram, the wire
 * format of QEMU's "-netdev socket,udp=..." and framegen's frames (dst ff:ff:ff:ff:ff:ff,
 * src 02:66:67:65:6e:ID, ethertype 0x88b5, "FGEN" + be64 seq + be64 send time + filler), so
 * framegen and udpgen can stand in for each other at either end.
 *
 *   udpgen tx -u LOCAL,REMOTE -r PPS -d SECS [-s SIZE] [-b BATCH] [-g] [-S ID]
 *       Sends at PPS with sendmmsg batches on a connected socket. Pacing is per batch against
 *       CLOCK_MONOTONIC (an absolute sleep until the batch is due, 1 ns timer slack), never per
 *       datagram; a batch that is late goes at once, so the average rate holds. -g sends each
 *       batch as one UDP GSO message (UDP_SEGMENT): the kernel cuts it into BATCH datagrams
 *       before the receiving socket, which sees them one by one, as from sendmmsg.
 *   udpgen rx -u LOCAL,REMOTE [-t SECS] [-i MS] [-p]
 *       Receives with recvmmsg (MSG_WAITFORONE: one call per batch, sleeping while there is
 *       nothing; -p never sleeps, so the sender never has to wake it); counts frames, unique
 *       sequence numbers, lost (gaps below the highest seen), reordered, duplicates. Stops after
 *       -t SECS overall, or -i MS without a frame once frames came (default 500), or SIGTERM.
 *   udpgen test
 *       Checks the sequence accounting against known sequences; exit 0 when right.
 *
 * Output: one line of key=value pairs on stdout, like framegen. No SO_TIMESTAMP: the receiver
 * takes no kernel timestamps, so nothing but the batch costs per datagram.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define SEQ_OFF 18
#define TS_OFF 26
#define MIN_FRAME 34
#define MAX_FRAME 1514
#define SLOT 2048 /* receive room per datagram: above any frame we send, so a cut one shows */
#define MAX_BATCH 64 /* also the kernel's lowest UDP_MAX_SEGMENTS */
#define RX_BATCH 256

static volatile sig_atomic_t stop_flag;
static void on_signal(int s) { (void)s; stop_flag = 1; }

static void die(const char *what)
{
    fprintf(stderr, "udpgen: %s: %s\n", what, strerror(errno));
    exit(1);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) { p[i] = v; v >>= 8; }
}

static uint64_t get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}

static void fill_frame(uint8_t *f, int size, int id)
{
    static const uint8_t head[14] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0x02, 0x66, 0x67, 0x65, 0x6e, 0, 0x88, 0xb5};
    memcpy(f, head, sizeof head);
    f[11] = id;
    memcpy(f + 14, "FGEN", 4);
    memset(f + SEQ_OFF, 0, 16);
    for (int i = MIN_FRAME; i < size; i++) f[i] = i;
}

static int is_ours(const uint8_t *f, size_t len)
{
    return len >= MIN_FRAME && f[12] == 0x88 && f[13] == 0xb5 && memcmp(f + 14, "FGEN", 4) == 0;
}

/* ---------- sequence accounting ---------- */

/* What a receiver saw of one sender's sequence 0, 1, 2, ... */
struct seqstat {
    uint64_t frames, ours, foreign, truncated, unique, dup, ooo, next;
    uint8_t *seen; /* one bit per sequence number, pages touched only as numbers arrive */
    uint64_t seen_bits;
};

static void seq_init(struct seqstat *s, uint64_t bits)
{
    memset(s, 0, sizeof *s);
    s->seen = calloc(bits / 8, 1);
    s->seen_bits = s->seen ? bits : 0;
}

static void seq_account(struct seqstat *s, uint64_t seq)
{
    s->ours++;
    if (seq < s->seen_bits) {
        uint8_t bit = 1u << (seq & 7);
        if (s->seen[seq >> 3] & bit) { s->dup++; return; }
        s->seen[seq >> 3] |= bit;
    }
    if (seq < s->next) s->ooo++; /* a first arrival below the highest seen: reordered */
    else s->next = seq + 1;
    s->unique++;
}

/* Sequence numbers below the highest seen that never came: the gaps. */
static uint64_t seq_lost(const struct seqstat *s) { return s->next - s->unique; }

/* ---------- sockets ---------- */

static void parse_hostport(char *s, struct sockaddr_storage *ss, socklen_t *len)
{
    char *port = strrchr(s, ':');
    if (!port) { fprintf(stderr, "udpgen: '%s' is not HOST:PORT\n", s); exit(1); }
    *port++ = 0;
    char *host = s;
    if (host[0] == '[') { host++; host[strlen(host) - 1] = 0; }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
                             .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV}, *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc) { fprintf(stderr, "udpgen: %s: %s\n", s, gai_strerror(rc)); exit(1); }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
}

/* LOCAL,REMOTE: bound to LOCAL, connected to REMOTE (one route lookup, not one per datagram). */
static int open_udp(const char *spec)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    char *comma = strchr(buf, ',');
    if (!comma) { fprintf(stderr, "udpgen: -u wants LOCAL,REMOTE\n"); exit(1); }
    *comma = 0;
    struct sockaddr_storage local, remote;
    socklen_t llen, rlen;
    parse_hostport(buf, &local, &llen);
    parse_hostport(comma + 1, &remote, &rlen);
    int fd = socket(local.ss_family, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    int one = 1, big = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    /* ours must not be the buffer that overflows; FORCE needs root, the plain one is capped */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) < 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    if (bind(fd, (struct sockaddr *)&local, llen) < 0) die("bind");
    if (connect(fd, (struct sockaddr *)&remote, rlen) < 0) die("connect");
    return fd;
}

static void cpu_times(double *user, double *sys)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
    *sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* ---------- tx ---------- */

static int do_tx(int fd, int size, double rate, double secs, int batch, int gso, int id)
{
    if (rate <= 0 || secs <= 0) { fprintf(stderr, "udpgen: tx wants -r PPS and -d SECS\n"); return 1; }
    if (batch <= 0) { /* about 10 000 batches a second: bursts of at most 100 us of traffic */
        batch = rate / 10000;
        if (batch < 1) batch = 1;
    }
    if (batch > MAX_BATCH) batch = MAX_BATCH;
    if (gso) {
        int seg = size;
        if (setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &seg, sizeof seg) < 0) die("UDP_SEGMENT");
    }
    prctl(PR_SET_TIMERSLACK, 1UL);

    uint8_t *frames = malloc((size_t)size * batch);
    struct mmsghdr msgs[MAX_BATCH];
    struct iovec iov[MAX_BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < batch; i++) {
        fill_frame(frames + (size_t)i * size, size, id);
        iov[i].iov_base = frames + (size_t)i * size;
        iov[i].iov_len = size;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    if (gso) { /* one message, the whole batch in one buffer, cut every `size` bytes */
        iov[0].iov_len = (size_t)size * batch;
    }

    uint64_t sent = 0, errs = 0, late = 0, max_lag = 0;
    uint64_t t0 = now_ns();
    uint64_t total = (uint64_t)(rate * secs);
    double ns_per_frame = 1e9 / rate;
    while (sent < total && !stop_flag) {
        uint64_t due = t0 + (uint64_t)(sent * ns_per_frame);
        uint64_t now = now_ns();
        if (due > now) {
            struct timespec ts = {.tv_sec = due / 1000000000ull, .tv_nsec = due % 1000000000ull};
            while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stop_flag) {}
        } else if (now - due > 1000000) {
            late++;
            if (now - due > max_lag) max_lag = now - due;
        }
        int k = batch;
        if (total - sent < (uint64_t)k) k = total - sent;
        uint64_t stamp = now_ns();
        for (int i = 0; i < k; i++) {
            uint8_t *f = frames + (size_t)i * size;
            put_be64(f + SEQ_OFF, sent + i);
            put_be64(f + TS_OFF, stamp);
        }
        if (gso) iov[0].iov_len = (size_t)size * k;
        int todo = gso ? 1 : k, off = 0;
        while (off < todo) {
            int r = sendmmsg(fd, msgs + off, todo - off, 0);
            if (r < 0) {
                if (errno == EINTR && !stop_flag) continue;
                if (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED) {
                    /* refused here (no room, or nobody bound yet): lost, its numbers consumed */
                    errs += gso ? (uint64_t)k : 1;
                    off++;
                    continue;
                }
                die("sendmmsg");
            }
            off += r;
        }
        sent += k;
    }
    double took = (now_ns() - t0) / 1e9, user, sys;
    cpu_times(&user, &sys);
    printf("mode=tx size=%d rate=%.0f batch=%d gso=%d sent=%llu send_errs=%llu secs=%.4f pps=%.0f "
           "late_batches=%llu max_lag_us=%.0f cpu_user=%.2f cpu_sys=%.2f\n",
           size, rate, batch, gso, (unsigned long long)sent, (unsigned long long)errs, took,
           sent / took, (unsigned long long)late, max_lag / 1e3, user, sys);
    fflush(stdout);
    return 0;
}

/* ---------- rx ---------- */

static int do_rx(int fd, double timeout, int idle_ms, int spin)
{
    struct seqstat st;
    seq_init(&st, 1ull << 31); /* 256 MiB of address space, a few hundred KiB touched per run */
    uint8_t *bufs = malloc((size_t)SLOT * RX_BATCH);
    struct mmsghdr msgs[RX_BATCH];
    struct iovec iov[RX_BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < RX_BATCH; i++) {
        iov[i].iov_base = bufs + (size_t)i * SLOT;
        iov[i].iov_len = SLOT;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    /* the blocking wait wakes up now and then to look at the clock */
    struct timeval tick = {.tv_sec = 0, .tv_usec = 50000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);

    uint64_t start = now_ns(), first = 0, last = 0, calls = 0;
    uint64_t deadline = timeout > 0 ? start + (uint64_t)(timeout * 1e9) : UINT64_MAX;
    while (!stop_flag) {
        int r = recvmmsg(fd, msgs, RX_BATCH, spin ? MSG_DONTWAIT : MSG_WAITFORONE, NULL);
        uint64_t now = now_ns();
        if (r > 0) {
            calls++;
            if (!first) first = now;
            last = now;
            for (int i = 0; i < r; i++) {
                const uint8_t *f = iov[i].iov_base;
                size_t len = msgs[i].msg_len;
                st.frames++;
                if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) st.truncated++;
                else if (is_ours(f, len)) seq_account(&st, get_be64(f + SEQ_OFF));
                else st.foreign++;
            }
        } else if (r < 0 && errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED) {
            die("recvmmsg");
        }
        if (now >= deadline) break;
        if (first && idle_ms > 0 && now - last >= (uint64_t)idle_ms * 1000000ull) break;
    }
    double secs = last > first ? (last - first) / 1e9 : 0, user, sys;
    cpu_times(&user, &sys);
    printf("mode=rx frames=%llu ours=%llu unique=%llu lost=%llu ooo=%llu dup=%llu foreign=%llu "
           "truncated=%llu next_seq=%llu secs=%.4f pps=%.0f per_call=%.1f cpu_user=%.2f cpu_sys=%.2f\n",
           (unsigned long long)st.frames, (unsigned long long)st.ours,
           (unsigned long long)st.unique, (unsigned long long)seq_lost(&st),
           (unsigned long long)st.ooo, (unsigned long long)st.dup,
           (unsigned long long)st.foreign, (unsigned long long)st.truncated,
           (unsigned long long)st.next, secs, secs > 0 ? (st.frames - 1) / secs : 0,
           calls ? (double)st.frames / calls : 0, user, sys);
    fflush(stdout);
    return st.frames ? 0 : 2;
}

/* ---------- test ---------- */

static int expect(const char *name, uint64_t got, uint64_t want)
{
    if (got == want) return 0;
    fprintf(stderr, "udpgen test: %s: %llu, expected %llu\n", name,
            (unsigned long long)got, (unsigned long long)want);
    return 1;
}

static int do_test(void)
{
    static const struct {
        const char *name;
        uint64_t seqs[10];
        int n;
        uint64_t unique, lost, ooo, dup;
    } cases[] = {
        {"in order", {0, 1, 2, 3}, 4, 4, 0, 0, 0},
        {"gap", {0, 1, 4, 5}, 4, 4, 2, 0, 0},
        {"lost first", {2, 3}, 2, 2, 2, 0, 0},
        {"reordered", {0, 2, 1, 3}, 4, 4, 0, 1, 0},
        {"late then gap", {0, 3, 1, 5}, 4, 4, 2, 1, 0},
        {"duplicate", {0, 1, 1, 2}, 4, 3, 0, 0, 1},
        {"duplicate of a late one", {0, 2, 1, 1, 3}, 5, 4, 0, 1, 1},
        {"duplicate of the first", {0, 0}, 2, 1, 0, 0, 1},
    };
    int bad = 0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct seqstat st;
        seq_init(&st, 1 << 16);
        for (int i = 0; i < cases[c].n; i++) seq_account(&st, cases[c].seqs[i]);
        char what[64];
        snprintf(what, sizeof what, "%s: unique", cases[c].name);
        bad |= expect(what, st.unique, cases[c].unique);
        snprintf(what, sizeof what, "%s: lost", cases[c].name);
        bad |= expect(what, seq_lost(&st), cases[c].lost);
        snprintf(what, sizeof what, "%s: ooo", cases[c].name);
        bad |= expect(what, st.ooo, cases[c].ooo);
        snprintf(what, sizeof what, "%s: dup", cases[c].name);
        bad |= expect(what, st.dup, cases[c].dup);
        free(st.seen);
    }
    /* the frame both ends agree on */
    uint8_t f[64];
    fill_frame(f, sizeof f, 7);
    put_be64(f + SEQ_OFF, 0x0102030405060708ull);
    bad |= expect("frame is ours", is_ours(f, sizeof f), 1);
    bad |= expect("source id", f[11], 7);
    bad |= expect("seq round trip", get_be64(f + SEQ_OFF), 0x0102030405060708ull);
    bad |= expect("seq big-endian", f[SEQ_OFF], 1);
    bad |= expect("short frame is not ours", is_ours(f, MIN_FRAME - 1), 0);
    printf("mode=test result=%s\n", bad ? "fail" : "ok");
    return bad;
}

static void usage(void)
{
    fprintf(stderr,
"usage: udpgen tx -u LOCAL,REMOTE -r PPS -d SECS [-s SIZE] [-b BATCH] [-g] [-S ID]\n"
"       udpgen rx -u LOCAL,REMOTE [-t SECS] [-i MS] [-p]\n"
"       udpgen test\n"
"  -s SIZE   frame bytes without FCS, %d..%d (default 64)\n"
"  -b BATCH  datagrams per sendmmsg, 1..%d (default PPS/10000)\n"
"  -g        each batch as one UDP GSO message (UDP_SEGMENT)\n"
"  -S ID     last byte of the source MAC 02:66:67:65:6e:ID (default 1)\n"
"  -t SECS   rx: stop after SECS (default 60)\n"
"  -i MS     rx: stop after MS without a frame once frames came (default 500; 0 = never)\n"
"  -p        rx: poll without sleeping\n",
            MIN_FRAME, MAX_FRAME, MAX_BATCH);
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 2) usage();
    const char *mode = argv[1];
    if (!strcmp(mode, "test")) return do_test();
    int tx = !strcmp(mode, "tx");
    if (!tx && strcmp(mode, "rx")) usage();
    const char *udp = NULL;
    int size = 64, batch = 0, gso = 0, id = 1, idle_ms = 500, spin = 0, c;
    double rate = 0, secs = 0, timeout = 60;
    optind = 2;
    while ((c = getopt(argc, argv, "u:s:r:d:b:gS:t:i:p")) != -1) {
        switch (c) {
        case 'u': udp = optarg; break;
        case 's': size = atoi(optarg); break;
        case 'r': rate = atof(optarg); break;
        case 'd': secs = atof(optarg); break;
        case 'b': batch = atoi(optarg); break;
        case 'g': gso = 1; break;
        case 'S': id = atoi(optarg); break;
        case 't': timeout = atof(optarg); break;
        case 'i': idle_ms = atoi(optarg); break;
        case 'p': spin = 1; break;
        default: usage();
        }
    }
    if (!udp || size < MIN_FRAME || size > MAX_FRAME) usage();
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int fd = open_udp(udp);
    return tx ? do_tx(fd, size, rate, secs, batch, gso, id) : do_rx(fd, timeout, idle_ms, spin);
}
