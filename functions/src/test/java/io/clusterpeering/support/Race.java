package io.clusterpeering.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs callables on their own threads, all released at once by one latch: a real race, not a sequence. */
public final class Race {
    private Race() {
    }

    /** @return each callable's result, or the exception it threw, in the callables' order */
    public static <T> List<Object> run(List<Callable<T>> racers) throws InterruptedException {
        return run(racers, racers.size());
    }

    /**
     * As {@link #run(List)}, on at most {@code threads} threads: the first {@code threads} racers start together and
     * the rest follow as threads free up (a race at volume, without a thread per racer).
     */
    public static <T> List<Object> run(List<Callable<T>> racers, int threads) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, racers.size())));
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> racer : racers) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return racer.call();
                }));
            }
            start.countDown();
            List<Object> outcomes = new ArrayList<>();
            for (Future<T> future : futures) {
                try {
                    outcomes.add(future.get());
                } catch (ExecutionException e) {
                    outcomes.add(e.getCause());
                }
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }
}
