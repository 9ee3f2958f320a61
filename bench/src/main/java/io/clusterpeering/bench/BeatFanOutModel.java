package io.clusterpeering.bench;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A discrete-event model of the AWS heartbeat fan-out ({@code HeartbeatFanOut}): one chain of SQS messages per
 * connected peering, workers taking one message at a time (batch size 1) up to a maximum concurrency, each step
 * (claim, heartbeat, resync) lasting a service time drawn from measured samples, then enqueueing the chain's next
 * step with the heartbeat interval as its SQS delay. A one-minute tick starts a new chain for every peering whose
 * chain is missing or has not claimed a beat for {@code deadAfter} past its due time (as
 * {@code BeatChainStore.startBeatChain}: due &lt; now - 3 intervals); a step of a replaced chain fails its claim and
 * ends (a "stale" step, short). Visible messages are taken in the order they became visible (SQS standard is only
 * roughly ordered). Not modelled: the event source's polling latency, Lambda's scaling ramp, cold starts,
 * redeliveries, the tick's own duration. Pure and deterministic for a seed: all times in seconds.
 */
final class BeatFanOutModel {
    private BeatFanOutModel() {
    }

    /**
     * What to simulate.
     *
     * @param peerings     connected peerings (chains)
     * @param deadFraction share of peerings whose peer never answers, 0..1
     * @param concurrency  the event source's maximum concurrency (workers at once)
     * @param interval     the SQS delay between two steps of a chain (Consul's heartbeat interval), s
     * @param deadAfter    how long past its due time a chain is taken for dead by the tick, s
     * @param tickEvery    the schedule's period, s
     * @param liveSteps    service times of a live peering's step to draw from, s (non-empty)
     * @param deadSteps    service times of a dead peering's step to draw from, s (non-empty)
     * @param staleStep    service time of a step whose claim fails (replaced chain), s
     * @param warmup       simulated time before the window the figures cover, s
     * @param window       the simulated time the figures cover, s (an hour: 3,600)
     * @param seed         the random seed (which peerings are dead, the draws)
     */
    record Params(int peerings, double deadFraction, int concurrency, double interval, double deadAfter,
                  double tickEvery, double[] liveSteps, double[] deadSteps, double staleStep, double warmup,
                  double window, long seed) {
    }

    /**
     * What the window showed.
     *
     * @param meanQueueDepth    time-weighted mean of visible messages waiting for a worker
     * @param maxQueueDepth     most visible messages waiting at once
     * @param meanBusy          time-weighted mean of workers busy
     * @param maxBusy           most workers busy at once
     * @param liveIntervals     sorted intervals between two beats (claimed step starts) of a live peering, s
     * @param onTimeShare       share of those intervals within interval + the peering's previous step + 1 s
     * @param waits             sorted queue waits of claimed steps (visible to taken), s
     * @param liveSteps         claimed steps of live peerings started in the window
     * @param deadSteps         claimed steps of dead peerings started in the window
     * @param staleSteps        steps whose claim failed (a replaced chain), started in the window
     * @param chainStarts       chains the tick started in the window (restarts, after the first tick)
     * @param billedSeconds     the window's steps' durations, each rounded up to the millisecond, s
     */
    record Outcome(double meanQueueDepth, int maxQueueDepth, double meanBusy, int maxBusy, double[] liveIntervals,
                   double onTimeShare, double[] waits, long liveSteps, long deadSteps, long staleSteps,
                   long chainStarts, double billedSeconds) {

        /** A percentile (0..100) of the live intervals, s; NaN when none. */
        double interval(double percentile) {
            return percentile(liveIntervals, percentile);
        }

        /** A percentile (0..100) of the queue waits, s; NaN when none. */
        double queueWait(double percentile) {
            return percentile(waits, percentile);
        }

        /** Every step started in the window (each one Lambda invocation). */
        long steps() {
            return liveSteps + deadSteps + staleSteps;
        }
    }

    /** The nearest-rank percentile (0..100) of sorted values; NaN when empty. */
    static double percentile(double[] sorted, double percentile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /**
     * Little's law without queueing: the workers busy on average when every chain cycles as fast as it can
     * (interval + its own step), each busy for its mean step.
     *
     * @return mean busy workers needed
     */
    static double requiredConcurrency(int peerings, double deadFraction, double interval, double meanLive, double meanDead) {
        double dead = Math.round(peerings * deadFraction);
        double live = peerings - dead;
        return live / (interval + meanLive) * meanLive + dead / (interval + meanDead) * meanDead;
    }

    private static final int VISIBLE = 0;
    private static final int DONE = 1;
    private static final int TICK = 2;

    private record Event(double at, long order, int kind, int peering, int chain, double visibleAt, double service,
                         boolean claimed) {
    }

    private record Message(int peering, int chain, double visibleAt) {
    }

    /** Runs the model. */
    static Outcome run(Params p) {
        Random random = new Random(p.seed());
        int n = p.peerings();
        boolean[] dead = new boolean[n];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int deadCount = (int) Math.round(n * p.deadFraction());
        for (int i = 0; i < deadCount; i++) {
            dead[order[i]] = true;
        }
        int[] chain = new int[n];
        double[] due = new double[n];
        double[] lastStart = new double[n];
        double[] lastService = new double[n];
        Arrays.fill(chain, -1);
        Arrays.fill(lastStart, Double.NaN);

        double from = p.warmup();
        double to = p.warmup() + p.window();
        PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.at != b.at ? Double.compare(a.at, b.at)
                : Long.compare(a.order, b.order));
        long[] sequence = {0};
        ArrayDeque<Message> visible = new ArrayDeque<>();
        int busy = 0;
        double last = 0;
        double depthArea = 0;
        double busyArea = 0;
        int maxDepth = 0;
        int maxBusy = 0;
        DoubleList intervals = new DoubleList();
        DoubleList waits = new DoubleList();
        long onTime = 0;
        long liveSteps = 0;
        long deadSteps = 0;
        long staleSteps = 0;
        long starts = 0;
        double billed = 0;
        events.add(new Event(0, sequence[0]++, TICK, -1, -1, 0, 0, false));
        while (!events.isEmpty()) {
            Event e = events.poll();
            if (e.at > to) {
                break;
            }
            double now = e.at;
            double a = Math.max(from, last);
            if (now > a) {
                depthArea += visible.size() * (now - a);
                busyArea += busy * (now - a);
            }
            last = now;
            boolean inWindow = now >= from;
            switch (e.kind) {
                case TICK -> {
                    for (int i = 0; i < n; i++) {
                        if (chain[i] < 0 || due[i] < now - p.deadAfter()) {
                            chain[i] = Math.max(1, chain[i] + 1);
                            due[i] = now;
                            visible.add(new Message(i, chain[i], now));
                            if (inWindow) {
                                starts++;
                            }
                        }
                    }
                    events.add(new Event(now + p.tickEvery(), sequence[0]++, TICK, -1, -1, 0, 0, false));
                }
                case VISIBLE -> visible.add(new Message(e.peering, e.chain, e.visibleAt));
                case DONE -> {
                    busy--;
                    if (e.claimed) {
                        double at = now + p.interval();
                        events.add(new Event(at, sequence[0]++, VISIBLE, e.peering, e.chain, at, 0, false));
                    }
                }
                default -> throw new IllegalStateException("unknown event " + e.kind);
            }
            while (busy < p.concurrency() && !visible.isEmpty()) {
                Message m = visible.poll();
                int i = m.peering();
                boolean claimed = m.chain() == chain[i];
                double service;
                if (!claimed) {
                    service = p.staleStep();
                } else {
                    service = dead[i] ? draw(p.deadSteps(), random) : draw(p.liveSteps(), random);
                    due[i] = now + p.interval();
                    if (inWindow) {
                        waits.add(now - m.visibleAt());
                        if (!dead[i] && !Double.isNaN(lastStart[i])) {
                            double interval = now - lastStart[i];
                            intervals.add(interval);
                            if (interval <= p.interval() + lastService[i] + 1.0) {
                                onTime++;
                            }
                        }
                    }
                    lastStart[i] = now;
                    lastService[i] = service;
                }
                if (inWindow) {
                    if (!claimed) {
                        staleSteps++;
                    } else if (dead[i]) {
                        deadSteps++;
                    } else {
                        liveSteps++;
                    }
                    billed += Math.ceil(service * 1000) / 1000;
                }
                busy++;
                events.add(new Event(now + service, sequence[0]++, DONE, i, m.chain(), 0, service, claimed));
            }
            if (inWindow) {
                maxDepth = Math.max(maxDepth, visible.size());
                maxBusy = Math.max(maxBusy, busy);
            }
        }
        double[] sortedIntervals = intervals.sorted();
        return new Outcome(depthArea / p.window(), maxDepth, busyArea / p.window(), maxBusy, sortedIntervals,
                sortedIntervals.length == 0 ? Double.NaN : onTime / (double) sortedIntervals.length, waits.sorted(),
                liveSteps, deadSteps, staleSteps, starts, billed);
    }

    private static double draw(double[] samples, Random random) {
        return samples[random.nextInt(samples.length)];
    }

    /** A growable array of doubles (millions of intervals per run: no boxing). */
    private static final class DoubleList {
        private double[] values = new double[1024];
        private int size;

        void add(double value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        double[] sorted() {
            double[] copy = Arrays.copyOf(values, size);
            Arrays.sort(copy);
            return copy;
        }
    }
}
