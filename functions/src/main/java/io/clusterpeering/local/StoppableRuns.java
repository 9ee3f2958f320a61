package io.clusterpeering.local;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets a scheduled task of the local runtime be stopped before the application context closes: once
 * {@link #stop} is called no new run starts, and {@code stop} waits a bounded time for the run in progress,
 * interrupting it when the wait is over. Runs never overlap.
 */
final class StoppableRuns {
    private final ReentrantLock running = new ReentrantLock();
    private volatile boolean stopped;
    private volatile Thread runner;

    /**
     * Runs the body on the calling thread unless stopped or another run is in progress.
     *
     * @return true when the body ran
     */
    boolean run(Runnable body) {
        if (stopped || !running.tryLock()) {
            return false;
        }
        return runLocked(body);
    }

    /**
     * Runs the body on the calling thread once the run in progress, if any, has ended; unless stopped.
     *
     * @return true when the body ran
     * @throws InterruptedException when interrupted while waiting for the run in progress
     */
    boolean runAfterCurrent(Runnable body) throws InterruptedException {
        if (stopped) {
            return false;
        }
        running.lockInterruptibly();
        return runLocked(body);
    }

    /** Runs the body with {@link #running} held by the caller, and releases it. */
    private boolean runLocked(Runnable body) {
        try {
            if (stopped) {
                return false;
            }
            runner = Thread.currentThread();
            body.run();
            return true;
        } finally {
            runner = null;
            if (stopped) {
                // An interrupt from stop() must not leak into the scheduler's next use of this thread.
                Thread.interrupted();
            }
            running.unlock();
        }
    }

    /**
     * Stops further runs and waits for the one in progress.
     *
     * @param grace how long the run in progress may take to end before it is interrupted; as long again is
     *              allowed after the interrupt
     * @return true when no run is in progress any more
     */
    boolean stop(Duration grace) {
        stopped = true;
        try {
            if (running.tryLock(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                running.unlock();
                return true;
            }
            Thread current = runner;
            if (current != null) {
                current.interrupt();
            }
            if (running.tryLock(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                running.unlock();
                return true;
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether {@link #stop} was called. */
    boolean stopped() {
        return stopped;
    }
}
