package io.clusterpeering.bench;

import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.service.BeatQueue;
import io.clusterpeering.service.BeatTicket;
import io.clusterpeering.service.CaRotationService;
import io.clusterpeering.service.HeartbeatFanOut;
import io.clusterpeering.service.HeartbeatService;
import io.clusterpeering.service.ReplicationTraffic;
import io.clusterpeering.store.BeatChainStore;
import io.clusterpeering.store.PeeringStore;
import io.micronaut.context.ApplicationContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Issue 21's fan-out simulation: how the AWS heartbeat chains ({@code HeartbeatFanOut} behind an SQS event source,
 * batch size 1, maximum concurrency {@code -c heartbeatConcurrency=}, default 50) hold 1,000 and 10,000 peerings.
 * First it measures the real step ({@code HeartbeatFanOut.work}: claim, heartbeat, resync, next step enqueued)
 * for a few hundred live peerings and a few dead ones of an in-JVM two-cluster setup: the duration of each step
 * and the DynamoDB calls (with their capacity units), peer HTTP calls and SQS sends it makes, and the tick's cost
 * per peering. Then it runs {@link BeatFanOutModel} over a simulated hour at several concurrencies, with the
 * measured steps as they are (one machine, no network) and with an AWS model (a configurable round trip per peer
 * call), and prices each at AWS list prices.
 */
final class HeartbeatFanOutSection implements Section {
    static final String TITLE = "Heartbeat fan-out in AWS: 1,000 and 10,000 peerings";
    private static final String QUEUE_CHART = "heartbeat-fanout-queue.png";
    private static final String INTERVAL_CHART = "heartbeat-fanout-interval.png";

    /** Consul's heartbeat interval, the SQS delay between two steps of a chain (ClusterStack.HEARTBEAT_INTERVAL), s. */
    static final double INTERVAL = 15;
    /** The tick takes a chain this long past its due time for dead (HeartbeatFanOut.DEAD_AFTER_INTERVALS × 15 s). */
    static final double DEAD_AFTER = 3 * INTERVAL;
    /** The event source's default maximum concurrency (ClusterStack.DEFAULT_HEARTBEAT_CONCURRENCY). */
    static final int DEFAULT_CONCURRENCY = 50;
    /** Memory of the worker (ClusterStack.MEMORY_MB), GB. */
    static final double WORKER_GB = 1024 / 1024.0;
    /** Share of peerings whose peer never answers. */
    static final double DEAD_FRACTION = 0.05;
    /** The peer-call timeout the stack leaves in force (application.properties; the stack sets it on LocalStack only). */
    static final Duration PEER_CALL_TIMEOUT = PeeredAcceptor.PEER_CALL_TIMEOUT;
    /** A beat counts as on time within the interval + the peering's own previous step + this slack, s. */
    static final double ON_TIME_SLACK = 1;
    /** Consul's heartbeat timeout (PEERING_HEARTBEAT_TIMEOUT): a peering silent this long reads FAILING, s. */
    static final double HEARTBEAT_TIMEOUT = 120;

    // AWS list prices, us-east-1, as published on the AWS pricing pages in 2025 (Lambda, SQS, DynamoDB on-demand
    // after the November 2024 cut, API Gateway HTTP APIs, CloudWatch Logs), first tier, no free tier, US dollars.
    /** Lambda arm64 (the stack's architecture), per GB-second. */
    static final double LAMBDA_ARM_GB_SECOND = 0.0000133334;
    /** Lambda requests, per invocation. */
    static final double LAMBDA_REQUEST = 0.20 / 1e6;
    /** SQS standard queue requests, per API call (each 64 KB chunk; a ticket is under 200 bytes). */
    static final double SQS_REQUEST = 0.40 / 1e6;
    /** DynamoDB on-demand write request unit. */
    static final double DYNAMODB_WRU = 0.625 / 1e6;
    /** DynamoDB on-demand read request unit. */
    static final double DYNAMODB_RRU = 0.125 / 1e6;
    /** API Gateway HTTP API request (the peer's side of each peer call). */
    static final double HTTP_API_REQUEST = 1.00 / 1e6;
    /** CloudWatch Logs ingestion, per byte. */
    static final double LOG_BYTE = 0.50 / (1024.0 * 1024 * 1024);
    /** Log bytes per worker invocation assumed: START, END and REPORT lines plus a line of its own. */
    static final double LOG_BYTES_PER_STEP = 400;
    /** Empty ReceiveMessage calls per hour assumed: 5 pollers long-polling 20 s each while the queue is empty. */
    static final double EMPTY_POLLS_PER_HOUR = 5 * 3 * 60;
    /** An in-region DynamoDB call's latency assumed for the tick's AWS estimate, s. */
    static final double DYNAMODB_CALL_SECONDS = 0.005;
    /** Billed duration assumed for the peer's Lambda answering one peer call, s (not measured here). */
    static final double ANSWER_SECONDS = 0.020;

    @Override
    public String id() {
        return "heartbeat-fanout";
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public void run(BenchRun run) throws Exception {
        Measured measured = measure(run);
        double rtt = run.options().beatRttMs() / 1000.0;
        addMeasured(run.results(), measured);

        Model local = new Model("local", "as measured on one machine", measured.seconds(measured.live),
                measured.seconds(measured.dead), measured.staleSeconds());
        Model aws = local.plusRoundTrips("aws", String.format(Locale.ROOT, "measured + %.0f ms per peer call", rtt * 1000),
                rtt, measured.meanPeerCalls(measured.live));
        StringBuilder table = new StringBuilder("| model | peerings | concurrency | queue depth mean / max | busy workers "
                + "mean / max | beat interval p50 / p99 / max (s) | on time | restarted chains | steps/h | cost/h |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, double[][]> depth = new LinkedHashMap<>();
        Map<String, double[][]> intervals = new LinkedHashMap<>();
        Map<Integer, Integer> needed = new LinkedHashMap<>();
        double[] deadShare = {Double.NaN};
        for (Model model : List.of(aws, local)) {
            for (int peerings : List.of(1_000, 10_000)) {
                run.progress().step(model.name + ": simulating " + peerings + " peerings");
                int smallest = smallestOnTime(model, peerings);
                if (model == aws) {
                    needed.put(peerings, smallest);
                }
                List<Integer> levels = new ArrayList<>(List.of(50, 100, 200, 400, 800));
                if (!levels.contains(smallest)) {
                    levels.add(smallest);
                }
                levels.sort(Integer::compare);
                double[][] d = new double[2][levels.size()];
                double[][] p99 = new double[2][levels.size()];
                for (int k = 0; k < levels.size(); k++) {
                    int c = levels.get(k);
                    BeatFanOutModel.Outcome o = BeatFanOutModel.run(model.params(peerings, c));
                    Cost cost = Cost.of(o, measured, peerings);
                    d[0][k] = p99[0][k] = c;
                    d[1][k] = Math.max(0.1, o.meanQueueDepth());
                    p99[1][k] = o.interval(99);
                    table.append(row(model, peerings, c, o, cost, c == smallest));
                    if (model == aws) {
                        addSimulated(run.results(), model, peerings, c, o, cost, c == smallest);
                        if (k == levels.size() - 1 && peerings == 10_000) {
                            deadShare[0] = o.deadSteps() * mean(model.dead) / o.billedSeconds();
                        }
                        if (k == levels.size() - 1) {
                            run.results().add(Figure.versus("heartbeat.fanout.aws." + peerings + ".busy", TITLE,
                                    String.format(Locale.ROOT, "busy workers, mean, %,d peerings at concurrency %d (AWS model)",
                                            peerings, c), o.meanBusy(), "workers", "Little's law (steps/s × mean step)",
                                    BeatFanOutModel.requiredConcurrency(peerings, DEAD_FRACTION, INTERVAL, mean(model.live),
                                            mean(model.dead)), "the simulation beside the formula, with workers to spare", null));
                        }
                    }
                }
                depth.put(model.name + ", " + String.format(Locale.ROOT, "%,d", peerings), d);
                intervals.put(model.name + ", " + String.format(Locale.ROOT, "%,d", peerings), p99);
                if (model == aws) {
                    double little = BeatFanOutModel.requiredConcurrency(peerings, DEAD_FRACTION, INTERVAL,
                            mean(model.live), mean(model.dead));
                    run.results().add(Figure.versus("heartbeat.fanout.aws." + peerings + ".needed", TITLE,
                            String.format(Locale.ROOT, "smallest concurrency keeping beats on time, %,d peerings (AWS model)",
                                    peerings), smallest, "workers", "Little's law (steps/s × mean step)", little,
                            "on time: ≥ 99 % of live beats within 15 s + own step + 1 s, no chain restarted; ratio ≈ "
                                    + "headroom for the bursts of chains started together", null));
                }
            }
        }
        run.progress().step("aws: the most peerings the default concurrency holds");
        int held = largestOnTime(aws, DEFAULT_CONCURRENCY);
        run.results().add(Figure.alone("heartbeat.fanout.aws.default.peerings", TITLE,
                "most peerings the default concurrency 50 keeps on time (AWS model)", held, "peerings",
                "bisection to 50 peerings, same model and criterion", null));
        Charts.curves(run.results().dir().resolve(QUEUE_CHART), "Heartbeat queue: mean visible messages by worker concurrency",
                "maximum concurrency (workers)", "messages waiting (mean over the hour)", depth, false);
        Charts.curves(run.results().dir().resolve(INTERVAL_CHART), "Beat interval p99 by worker concurrency (Consul: 15 s)",
                "maximum concurrency (workers)", "interval between two beats of a live peering, p99 (s)", intervals, false);
        String note = note(measured, local, aws, rtt, needed, held, table, deadShare[0]);
        run.results().note(TITLE, note);
        // the report may be off (--report none): the note, with its table, also stands beside the PNGs
        Results.write(run.results().dir().resolve("heartbeat-fanout.md"), "## " + TITLE + "\n\n" + note);
    }

    // ---- the measurement ----

    /** One step of a chain as the worker takes it. */
    private record Step(String name, boolean dead, long nanos, HeartbeatService.BeatOutcome outcome, int ownCalls,
                        double ownWru, double ownRru, double peerWru, double peerRru, int peerCalls, int sqsSends) {
    }

    /**
     * What the measurement found.
     *
     * @param live        timed steps of live peerings
     * @param dead        timed steps of dead peerings
     * @param stale       timed steps whose claim failed (a replaced chain's message)
     * @param tickNanosPerPeering the tick's duration over the peerings it looked at, ns
     * @param tickWruPerPeering   the tick's write units per peering (one conditional PutItem each)
     * @param tickRruPerPeering   the tick's read units per peering (listing the rows)
     * @param tickCallsPerPeering the tick's DynamoDB calls per peering
     * @param livePeerings live peerings the acceptor had
     * @param deadPeerings dead peerings the acceptor had
     */
    private record Measured(List<Step> live, List<Step> dead, List<Step> stale, double tickNanosPerPeering,
                            double tickWruPerPeering, double tickRruPerPeering, double tickCallsPerPeering,
                            int livePeerings, int deadPeerings) {
        double[] seconds(List<Step> steps) {
            return steps.stream().mapToDouble(s -> s.nanos / 1e9).toArray();
        }

        double staleSeconds() {
            return stale.stream().mapToDouble(s -> s.nanos / 1e9).sorted().toArray()[stale.size() / 2];
        }

        double meanPeerCalls(List<Step> steps) {
            return steps.stream().mapToInt(Step::peerCalls).average().orElse(0);
        }

        double mean(List<Step> steps, java.util.function.ToDoubleFunction<Step> value) {
            return steps.stream().mapToDouble(value).average().orElse(Double.NaN);
        }
    }

    /** Catches what the worker enqueues: the next steps, as the SQS queue would take them (one call per send). */
    private static final class CapturingQueue implements BeatQueue {
        private final List<BeatTicket> sent = new ArrayList<>();
        private int calls;

        @Override
        public synchronized void send(List<BeatTicket> tickets, Duration delay) {
            sent.addAll(tickets);
            calls += (tickets.size() + 9) / 10;
        }

        synchronized List<BeatTicket> take() {
            List<BeatTicket> taken = List.copyOf(sent);
            sent.clear();
            return taken;
        }

        synchronized int calls() {
            return calls;
        }
    }

    private static Measured measure(BenchRun run) throws Exception {
        int live = run.options().quick() ? 40 : 300;
        int dead = run.options().quick() ? 2 : 6;
        int rounds = run.options().quick() ? 2 : 3;
        String at = String.format(Locale.ROOT, "%d live + %d dead peerings", live, dead);
        try (PeeredAcceptor peered = PeeredAcceptor.start(run, live, dead, at)) {
            String ownTable = Cluster.over(peered.acceptor()).table();
            ApplicationContext context = peered.acceptor().context();
            CapturingQueue queue = new CapturingQueue();
            HeartbeatFanOut fanOut = new HeartbeatFanOut(context.getBean(PeeringStore.class),
                    context.getBean(BeatChainStore.class), context.getBean(HeartbeatService.class), Optional.of(queue),
                    context.getBean(PeeringConfiguration.class), () -> context.getBean(CaRotationService.class));
            ReplicationTraffic traffic = context.getBean(ReplicationTraffic.class);
            run.progress().step(at + ": tick");
            long tickStart = System.nanoTime();
            List<CapacityRecorder.Call> tickCalls = CapacityRecorder.record(fanOut::tick);
            long tickNanos = System.nanoTime() - tickStart;
            List<BeatTicket> tickets = queue.take();
            int peerings = live + dead;
            List<Step> liveSteps = new ArrayList<>();
            List<Step> deadSteps = new ArrayList<>();
            List<BeatTicket> previous = tickets;
            for (int r = 0; r < rounds; r++) {
                run.progress().step(at + ": steps, round " + (r + 1) + "/" + rounds + (r == 0 ? " (warm-up)" : ""));
                previous = tickets;
                for (BeatTicket ticket : tickets) {
                    Step step = step(fanOut, ticket, queue, traffic, ownTable);
                    if (r > 0) {
                        (step.dead ? deadSteps : liveSteps).add(step);
                    }
                }
                tickets = queue.take();
            }
            run.progress().step(at + ": stale steps");
            List<Step> stale = new ArrayList<>();
            for (BeatTicket old : previous.subList(0, Math.min(100, previous.size()))) {
                stale.add(step(fanOut, old, queue, traffic, ownTable));
            }
            queue.take();
            return new Measured(liveSteps, deadSteps, stale, tickNanos / (double) peerings,
                    units(tickCalls, true, ownTable, true) / peerings, units(tickCalls, false, ownTable, true) / peerings,
                    tickCalls.stream().filter(c -> c.ownThread()).count() / (double) peerings, live, dead);
        }
    }

    /** Takes one step as the worker does ({@code HeartbeatFanOut.work}), recording its calls. */
    private static Step step(HeartbeatFanOut fanOut, BeatTicket ticket, CapturingQueue queue, ReplicationTraffic traffic,
                             String ownTable) {
        long messagesBefore = traffic.snapshot().totalMessages();
        int sendsBefore = queue.calls();
        HeartbeatService.BeatOutcome[] outcome = new HeartbeatService.BeatOutcome[1];
        long[] nanos = new long[1];
        List<CapacityRecorder.Call> calls = CapacityRecorder.record(() -> {
            long start = System.nanoTime();
            outcome[0] = fanOut.work(ticket).orElse(null);
            nanos[0] = System.nanoTime() - start;
            return null;
        });
        boolean beat = outcome[0] == HeartbeatService.BeatOutcome.DELIVERED || outcome[0] == HeartbeatService.BeatOutcome.FAILED;
        int peerCalls = (beat ? 1 : 0) + (int) (traffic.snapshot().totalMessages() - messagesBefore);
        return new Step(ticket.name(), ticket.name().startsWith("dead-"), nanos[0], outcome[0],
                (int) calls.stream().filter(CapacityRecorder.Call::ownThread).count(),
                units(calls, true, ownTable, true), units(calls, false, ownTable, true),
                units(calls, true, ownTable, false), units(calls, false, ownTable, false), peerCalls,
                queue.calls() - sendsBefore);
    }

    /**
     * The capacity units of recorded calls: writes or reads; the step's own (its thread, its cluster's table) or the
     * peer's answering them (other threads, another table). A call the engine answered no units for counts as 1.
     */
    private static double units(List<CapacityRecorder.Call> calls, boolean writes, String ownTable, boolean own) {
        return calls.stream().filter(c -> c.write() == writes)
                .filter(c -> own ? c.ownThread() : !c.ownThread() && c.table() != null && !c.table().equals(ownTable))
                .mapToDouble(c -> Double.isNaN(c.units()) ? 1 : c.units()).sum();
    }

    private static void addMeasured(Results results, Measured m) {
        for (List<Step> steps : List.of(m.live, m.dead, m.stale)) {
            String kind = steps == m.live ? "live" : steps == m.dead ? "dead" : "stale";
            String what = switch (kind) {
                case "live" -> "step of a live peering (claim, heartbeat, resync, next step)";
                case "dead" -> "step of a dead peering (claim, heartbeat timing out)";
                default -> "stale step (claim fails: a replaced chain's message)";
            };
            double[] sorted = steps.stream().mapToDouble(s -> s.nanos / 1e6).sorted().toArray();
            Map<HeartbeatService.BeatOutcome, Long> outcomes = new java.util.EnumMap<>(HeartbeatService.BeatOutcome.class);
            steps.forEach(s -> { if (s.outcome != null) outcomes.merge(s.outcome, 1L, Long::sum); });
            String detail = String.format(Locale.ROOT, "%d steps, sequential, in this JVM over DynamoDB Local; outcomes %s",
                    steps.size(), outcomes);
            for (double p : new double[]{50, 90, 99}) {
                Figure f = Figure.alone("heartbeat.fanout.step." + kind + ".p" + (int) p, TITLE,
                        what + ", p" + (int) p, BeatFanOutModel.percentile(sorted, p), "ms", detail, null);
                if (kind.equals("dead")) {
                    f = Figure.versus(f.id(), TITLE, f.name(), f.value(), "ms", "the peer-call timeout",
                            PEER_CALL_TIMEOUT.toMillis(), detail, null);
                }
                results.add(f);
            }
            String per = "per " + kind + " step";
            results.add(Figure.alone("heartbeat.fanout.step." + kind + ".dynamodb", TITLE, "DynamoDB calls " + per,
                    m.mean(steps, Step::ownCalls), "calls", "mean; the worker's own calls", null));
            results.add(Figure.alone("heartbeat.fanout.step." + kind + ".wru", TITLE, "DynamoDB write units " + per,
                    m.mean(steps, Step::ownWru), "WRU", "mean, ReturnConsumedCapacity as DynamoDB Local answers it; "
                            + "a failed conditional write counted as 1", null));
            results.add(Figure.alone("heartbeat.fanout.step." + kind + ".rru", TITLE, "DynamoDB read units " + per,
                    m.mean(steps, Step::ownRru), "RRU", "mean", null));
            results.add(Figure.alone("heartbeat.fanout.step." + kind + ".peer-calls", TITLE, "peer HTTP calls " + per,
                    m.mean(steps, Step::peerCalls), "calls", "mean: the heartbeat + replication messages sent", null));
            results.add(Figure.alone("heartbeat.fanout.step." + kind + ".sqs-sends", TITLE, "SQS SendMessageBatch calls " + per,
                    m.mean(steps, Step::sqsSends), "calls", "mean: the next step, one ticket", null));
            if (kind.equals("live")) {
                results.add(Figure.alone("heartbeat.fanout.step.live.peer-units", TITLE,
                        "DynamoDB units the peer spends answering a live step", m.mean(steps, s -> s.peerWru + s.peerRru),
                        "units", String.format(Locale.ROOT, "mean %.2f WRU + %.2f RRU, on the peer's table",
                                m.mean(steps, Step::peerWru), m.mean(steps, Step::peerRru)), null));
            }
        }
        results.add(Figure.alone("heartbeat.fanout.tick.per-peering", TITLE, "tick, per connected peering",
                m.tickNanosPerPeering / 1e6, "ms", String.format(Locale.ROOT, "%d peerings; %.2f DynamoDB calls, %.2f WRU, "
                        + "%.2f RRU per peering, every minute", m.livePeerings + m.deadPeerings, m.tickCallsPerPeering, m.tickWruPerPeering,
                        m.tickRruPerPeering), null));
        results.add(Figure.versus("heartbeat.fanout.tick.10000", TITLE, "tick at 10,000 peerings (sequential, extrapolated)",
                m.tickNanosPerPeering * 10_000 / 1e9, "s", "the tick function's timeout", 60,
                "per-peering tick time × 10,000, local latencies", null).target(1.0));
    }

    // ---- the simulation ----

    /**
     * Service-time samples of one model.
     *
     * @param name  short name
     * @param says  what it is, in words
     * @param live  a live step's samples, s
     * @param dead  a dead step's samples, s
     * @param stale a stale step, s
     */
    private record Model(String name, String says, double[] live, double[] dead, double stale) {
        /** This model with {@code rtt} added per peer call (the mean calls per step of each kind). */
        Model plusRoundTrips(String name, String says, double rtt, double liveCalls) {
            double[] l = live.clone();
            for (int i = 0; i < l.length; i++) {
                l[i] += liveCalls * rtt;
            }
            // a dead peer's call waits out the timeout whatever the distance: its step does not grow
            return new Model(name, says, l, dead, stale);
        }

        BeatFanOutModel.Params params(int peerings, int concurrency) {
            return new BeatFanOutModel.Params(peerings, DEAD_FRACTION, concurrency, INTERVAL, DEAD_AFTER, 60, live,
                    dead, stale, 300, 3600, 21);
        }
    }

    /** Whether an outcome keeps beats on time: ≥ 99 % of live intervals on time, no chain restarted. */
    static boolean onTime(BeatFanOutModel.Outcome o) {
        return o.onTimeShare() >= 0.99 && o.chainStarts() == 0;
    }

    /** The smallest concurrency (to 5 %) at which the model keeps beats on time, by bisection from 1 to 5,000. */
    private static int smallestOnTime(Model model, int peerings) {
        return bisect(1, 5_000, low -> Math.max(1, low / 20), c -> onTime(BeatFanOutModel.run(model.params(peerings, c))));
    }

    /**
     * The hour's bill of one simulated run, US dollars, us-east-1 list prices.
     *
     * @param worker  Lambda for the worker (requests + GB-seconds) and the tick
     * @param sqs     SQS requests: per claimed step SendMessageBatch + ReceiveMessage + DeleteMessage, per stale step
     *                Receive + Delete, the tick's sends, the assumed empty polls
     * @param dynamoDb DynamoDB on-demand units of the steps and the ticks
     * @param logs    CloudWatch Logs ingestion of the worker's lines (assumed bytes per invocation)
     * @param answers what the peers pay to answer: API Gateway + Lambda per peer call + their DynamoDB units
     */
    record Cost(double worker, double sqs, double dynamoDb, double logs, double answers) {
        double own() {
            return worker + sqs + dynamoDb + logs;
        }

        static Cost of(BeatFanOutModel.Outcome o, Measured m, int peerings) {
            double hours = 1;
            double ticks = 60 * hours;
            double worker = o.steps() * LAMBDA_REQUEST + o.billedSeconds() * WORKER_GB * LAMBDA_ARM_GB_SECOND
                    + ticks * (LAMBDA_REQUEST + peerings * m.tickNanosPerPeering / 1e9 * WORKER_GB * LAMBDA_ARM_GB_SECOND);
            double claimed = o.liveSteps() + o.deadSteps();
            double sqs = (claimed * 3 + o.staleSteps() * 2 + Math.ceil(o.chainStarts() / 10.0) + EMPTY_POLLS_PER_HOUR)
                    * SQS_REQUEST;
            double wru = o.liveSteps() * m.mean(m.live, Step::ownWru) + o.deadSteps() * m.mean(m.dead, Step::ownWru)
                    + o.staleSteps() * m.mean(m.stale, Step::ownWru) + ticks * peerings * m.tickWruPerPeering;
            double rru = o.liveSteps() * m.mean(m.live, Step::ownRru) + o.deadSteps() * m.mean(m.dead, Step::ownRru)
                    + o.staleSteps() * m.mean(m.stale, Step::ownRru) + ticks * peerings * m.tickRruPerPeering;
            double dynamoDb = wru * DYNAMODB_WRU + rru * DYNAMODB_RRU;
            double logs = o.steps() * LOG_BYTES_PER_STEP * LOG_BYTE;
            double peerCalls = o.liveSteps() * m.meanPeerCalls(m.live);
            double answers = peerCalls * (HTTP_API_REQUEST + LAMBDA_REQUEST + ANSWER_SECONDS * WORKER_GB * LAMBDA_ARM_GB_SECOND)
                    + o.liveSteps() * (m.mean(m.live, Step::peerWru) * DYNAMODB_WRU + m.mean(m.live, Step::peerRru) * DYNAMODB_RRU);
            return new Cost(worker, sqs, dynamoDb, logs, answers);
        }
    }

    private static String row(Model model, int peerings, int c, BeatFanOutModel.Outcome o, Cost cost, boolean smallest) {
        return String.format(Locale.ROOT, "| %s | %,d | %s%,d%s | %.1f / %,d | %.1f / %,d | %.1f / %.1f / %.1f | %.1f %% | %,d "
                        + "| %,d | $%.2f = Lambda %.2f + SQS %.2f + DynamoDB %.2f + logs %.2f; peers' $%.2f |\n", model.name, peerings, smallest ? "**" : "", c,
                smallest ? "**" : "", o.meanQueueDepth(), o.maxQueueDepth(), o.meanBusy(), o.maxBusy(), o.interval(50),
                o.interval(99), o.interval(100), 100 * o.onTimeShare(), o.chainStarts(), o.steps(), cost.own(), cost.worker,
                cost.sqs, cost.dynamoDb, cost.logs, cost.answers());
    }

    private static void addSimulated(Results results, Model model, int peerings, int c, BeatFanOutModel.Outcome o,
                                     Cost cost, boolean smallest) {
        String id = "heartbeat.fanout." + model.name + "." + peerings + ".c" + c;
        String at = String.format(Locale.ROOT, "%,d peerings, concurrency %d%s (%s model)", peerings, c,
                smallest ? ", the smallest on time" : c == DEFAULT_CONCURRENCY ? ", the default" : "", model.name);
        String detail = String.format(Locale.ROOT, "simulated hour; %,d steps (%,d live, %,d dead, %,d stale), %,d chains "
                        + "restarted; busy workers mean %.1f max %d; waits p99 %.2f s", o.steps(), o.liveSteps(), o.deadSteps(),
                o.staleSteps(), o.chainStarts(), o.meanBusy(), o.maxBusy(), o.queueWait(99));
        results.add(Figure.alone(id + ".queue", TITLE, "queue depth, mean, " + at, o.meanQueueDepth(), "messages",
                detail + "; max " + o.maxQueueDepth(), QUEUE_CHART));
        results.add(Figure.versus(id + ".interval.p50", TITLE, "beat interval p50, " + at, o.interval(50), "s",
                "Consul's heartbeat interval", INTERVAL, "live peerings' intervals between two beats", INTERVAL_CHART));
        results.add(Figure.versus(id + ".interval.p99", TITLE, "beat interval p99, " + at, o.interval(99), "s",
                "Consul's heartbeat interval", INTERVAL, String.format(Locale.ROOT, "max %.1f s; FAILING past %.0f s",
                        o.interval(100), HEARTBEAT_TIMEOUT), INTERVAL_CHART));
        results.add(Figure.alone(id + ".on-time", TITLE, "beats on time, " + at, 100 * o.onTimeShare(), "%",
                "within 15 s + the peering's own previous step + 1 s", null));
        results.add(Figure.alone(id + ".cost", TITLE, "cost per hour, " + at, cost.own(), "USD/h",
                String.format(Locale.ROOT, "Lambda $%.3f, SQS $%.3f, DynamoDB $%.3f, logs $%.3f; the peers answering: $%.3f",
                        cost.worker, cost.sqs, cost.dynamoDb, cost.logs, cost.answers), null));
    }

    /** The most peerings (to 50) that a concurrency keeps on time in the model, by bisection from 50 to 20,000. */
    private static int largestOnTime(Model model, int concurrency) {
        return bisect(50, 20_000, low -> 50, n -> !onTime(BeatFanOutModel.run(model.params(n, concurrency)))) - 50;
    }

    /**
     * Bisection of a predicate that is false below some value and true from it on, within {@code [low, high]}.
     *
     * @param resolution how close the bounds must come, given the lower one
     * @return the smallest value found true (to the resolution); {@code high} when none is
     */
    static int bisect(int low, int high, java.util.function.IntUnaryOperator resolution, java.util.function.IntPredicate holds) {
        while (high - low > resolution.applyAsInt(low)) {
            int mid = (low + high) / 2;
            if (holds.test(mid)) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return high;
    }

    /** A setting with headroom over the smallest concurrency that holds: a third more, rounded up to 50. */
    static int recommended(int smallest) {
        return (int) Math.ceil(smallest * 4 / 3.0 / 50) * 50;
    }

    private static double mean(double[] values) {
        return java.util.Arrays.stream(values).average().orElse(Double.NaN);
    }

    private static String note(Measured m, Model local, Model aws, double rtt, Map<Integer, Integer> needed, int held,
                               StringBuilder table, double deadShare) {
        double little = BeatFanOutModel.requiredConcurrency(10_000, DEAD_FRACTION, INTERVAL, mean(aws.live), mean(aws.dead));
        return String.format(Locale.ROOT, """
                        **What is measured.** An acceptor with %d live peerings (their dialer a second local cluster) and \
                        %d dead ones (the dialer stopped, its address held by a listener that never answers) on a fresh \
                        DynamoDB Local. `HeartbeatFanOut.tick` starts every chain (its tickets caught by a queue stand-in), \
                        then `HeartbeatFanOut.work` takes each step sequentially as the worker would, a warm-up round and \
                        then the timed rounds; a stale step re-sends an already taken ticket (its claim fails). Per step: its \
                        duration, the DynamoDB calls of the worker's thread with their capacity units \
                        (`ReturnConsumedCapacity=TOTAL`, added by an SDK interceptor), the peer HTTP calls (the heartbeat \
                        plus the replication messages counted by `ReplicationTraffic`) and the SQS sends. **All of it runs \
                        on one machine: no network round trip, DynamoDB Local instead of DynamoDB**, and the peer answers \
                        in the same JVM. Mean live step %.1f ms with %.2f peer calls; a dead step waits out the %d s \
                        peer-call timeout (the stack leaves `peering.peer-call-timeout` at its 5 s default outside LocalStack).

                        **The two models.** *local*: the measured steps as they are. *aws*: each live step plus %.0f ms per \
                        peer call (`--beat-rtt-ms`, a peer in another region through its API Gateway and Lambda; mean live \
                        step then %.0f ms); DynamoDB Local's latency stands in for DynamoDB's single-digit milliseconds; a \
                        dead step stays the timeout. **The simulation** (`BeatFanOutModel`, discrete events, seed 21): every \
                        chain started by the first tick at t = 0 (as after a deploy), %.0f %% of peerings dead, batch size 1, \
                        SQS delay 15 s after each step, the one-minute tick restarting chains more than 45 s past due; the \
                        figures cover one hour after a 5-minute warm-up. A live beat is **on time** when it comes within \
                        15 s + the peering's own previous step + 1 s of the one before (it waited at most 1 s for a worker); \
                        a concurrency **keeps beats on time** when ≥ 99 %% of live beats are and no chain was restarted. Not \
                        modelled: the event source's polling delay, Lambda's scale-up rate, cold starts, redeliveries.

                        **Prices** (us-east-1 list prices as published in 2025, first tier, no free tier): Lambda arm64 (the \
                        stack's) $0.0000133334 per GB-s at the worker's 1,024 MB and $0.20 per million requests; SQS standard \
                        $0.40 per million requests, counting SendMessageBatch + ReceiveMessage + DeleteMessage per step (one \
                        receive per message: batch size 1) and %.0f empty long polls an hour; DynamoDB on-demand $0.625 per \
                        million WRU and $0.125 per million RRU with the measured units per step and per tick; CloudWatch Logs \
                        $0.50/GB at an assumed %.0f bytes per invocation. "peers'" is what the other side pays to answer \
                        (HTTP API $1.00 per million, a Lambda request and an assumed %.0f ms at 1 GB per peer call, its \
                        DynamoDB units): when both sides beat, each cluster pays that too.

                        %s
                        **What it says.** The default concurrency %d keeps beats on time up to about **%,d peerings** \
                        (AWS model), so it is %s for 1,000; 10,000 peerings need at least **%d** workers to keep beats on \
                        time, so deploy them with `-c heartbeatConcurrency=%d` (about a third above, for slower steps or a \
                        farther peer). That smallest one is the saturation point: every worker is busy all the time and each \
                        chain waits up to the 1 s slack for one; Little's law gives the same, %.0f busy workers on average \
                        (%,.0f steps/s × mean step) when no step waits. The dead 5 %% alone keep about %.0f workers busy (each \
                        dead step holds one for the 5 s timeout of every 20 s) and take %.0f %% of the worker's GB-seconds: a \
                        shorter `peering.peer-call-timeout` is the cheapest lever. Below the needed concurrency chains fall \
                        behind, the queue holds thousands of messages, and once a chain is 45 s past due the tick starts a \
                        second one: the old chain's messages then cost stale steps. With 10,000 peerings the tick itself (one \
                        conditional PutItem per connected peering, sequential) is extrapolated to %.1f s here, and to %.0f s \
                        in AWS at an assumed %.0f ms per DynamoDB call, against its 60 s timeout; its writes cost %,.0f WRU \
                        an hour. A concurrency above 1,000 also needs the account's Lambda concurrency limit (1,000 by \
                        default) raised.
                        """,
                m.livePeerings, m.deadPeerings, mean(local.live) * 1000,
                m.meanPeerCalls(m.live), PEER_CALL_TIMEOUT.toSeconds(), rtt * 1000, mean(aws.live) * 1000,
                DEAD_FRACTION * 100, EMPTY_POLLS_PER_HOUR, LOG_BYTES_PER_STEP, ANSWER_SECONDS * 1000, table,
                DEFAULT_CONCURRENCY, held, needed.get(1_000) <= DEFAULT_CONCURRENCY ? "enough" : "not enough",
                needed.get(10_000), recommended(needed.get(10_000)), little,
                (10_000 * (1 - DEAD_FRACTION)) / (INTERVAL + mean(aws.live)) + 10_000 * DEAD_FRACTION / (INTERVAL + mean(aws.dead)),
                10_000 * DEAD_FRACTION * mean(aws.dead) / (INTERVAL + mean(aws.dead)), 100 * deadShare,
                m.tickNanosPerPeering * 10_000 / 1e9, m.tickCallsPerPeering * 10_000 * DYNAMODB_CALL_SECONDS,
                DYNAMODB_CALL_SECONDS * 1000, 60 * 10_000 * m.tickWruPerPeering);
    }
}
