package io.clusterpeering.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.clusterpeering.local.LocalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.EngineFilter.includeEngines;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * {@link TwoClusters} run on fixture classes through the JUnit launcher: the clusters get the settings and reach
 * {@code @BeforeAll}, the constructor and the test as one {@link Clusters}, still run in {@code @AfterAll}, and
 * are stopped after the class; when the class's {@code @BeforeAll} or the extension's own bootstrap fails, both
 * are stopped all the same.
 */
class TwoClustersExtensionTest {
    private static volatile boolean launching;
    private static final List<String> EVENTS = new ArrayList<>();
    private static Clusters seen;

    static boolean launching() {
        return launching;
    }

    @Test
    void theClustersReachEveryParameterCarryTheSettingsAndStopAfterTheClass() {
        TestExecutionSummary summary = launch(Started.class);
        assertEquals(1, summary.getTestsSucceededCount(), summary.getFailures().toString());
        assertEquals(List.of("beforeAll", "constructor", "test", "afterAll: running"), EVENTS);
        assertFalse(seen.dc1().context().isRunning(), "dc1 is stopped after the class");
        assertFalse(seen.dc2().context().isRunning(), "dc2 is stopped after the class");
    }

    @Test
    void aFailingBeforeAllStillStopsBothClusters() {
        TestExecutionSummary summary = launch(FailingBeforeAll.class);
        assertEquals(1, summary.getTotalFailureCount());
        assertEquals("the class's own setup fails", summary.getFailures().get(0).getException().getMessage());
        assertFalse(seen.dc1().context().isRunning(), "dc1 is stopped");
        assertFalse(seen.dc2().context().isRunning(), "dc2 is stopped");
    }

    @Test
    void aBootstrapThatFailsAfterBothStartedStillStopsBoth() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger logger = (Logger) LoggerFactory.getLogger(LocalCluster.class);
        logger.addAppender(logs);
        try {
            TestExecutionSummary summary = launch(FailingBootstrap.class);
            assertEquals(1, summary.getTotalFailureCount());
            assertTrue(summary.getFailures().get(0).getException().getMessage().startsWith("ACL support disabled"),
                    summary.getFailures().get(0).getException().toString());
        } finally {
            logger.detachAppender(logs);
        }
        List<String> stopped = logs.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(line -> line.matches("cluster dc[12] stopped in \\d+ ms")).map(line -> line.substring(0, 11)).sorted().toList();
        assertEquals(List.of("cluster dc1", "cluster dc2"), stopped, "both are stopped");
    }

    private static TestExecutionSummary launch(Class<?> fixture) {
        EVENTS.clear();
        seen = null;
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launching = true;
        try {
            LauncherFactory.create().execute(request().selectors(selectClass(fixture))
                    .filters(includeEngines("junit-jupiter")).build(), listener);
        } finally {
            launching = false;
        }
        return listener.getSummary();
    }

    @TwoClusters(settings = {"peering.heartbeat-interval=10m", "peering.heartbeat-timeout=30m"})
    @EnabledIf("io.clusterpeering.support.TwoClustersExtensionTest#launching")
    static class Started {
        private final Clusters clusters;

        Started(Clusters clusters) {
            this.clusters = clusters;
            assertSame(seen, clusters, "the constructor gets the clusters @BeforeAll got");
            EVENTS.add("constructor");
        }

        @BeforeAll
        static void start(Clusters clusters) {
            seen = clusters;
            EVENTS.add("beforeAll");
        }

        @Test
        void test(Clusters clusters) {
            assertSame(this.clusters, clusters);
            for (LocalCluster cluster : List.of(clusters.dc1(), clusters.dc2())) {
                assertEquals("10m", cluster.context().getProperty("peering.heartbeat-interval", String.class).orElseThrow());
                assertEquals("30m", cluster.context().getProperty("peering.heartbeat-timeout", String.class).orElseThrow());
                assertEquals("5s", cluster.context().getProperty("peering.peer-call-timeout", String.class).orElseThrow());
            }
            assertEquals("dc1", clusters.dc1().context().getProperty("peering.datacenter", String.class).orElseThrow());
            assertEquals("dc2", clusters.dc2().context().getProperty("peering.datacenter", String.class).orElseThrow());
            assertEquals(200, clusters.client1().get("/v1/peerings").statusCode());
            assertEquals(200, clusters.client2().get("/v1/peerings").statusCode());
            assertNull(clusters.management1());
            assertNull(clusters.management2());
            EVENTS.add("test");
        }

        @AfterAll
        static void stop() {
            EVENTS.add("afterAll: " + (seen.dc1().context().isRunning() && seen.dc2().context().isRunning() ? "running" : "stopped"));
        }
    }

    @TwoClusters
    @EnabledIf("io.clusterpeering.support.TwoClustersExtensionTest#launching")
    static class FailingBeforeAll {
        @BeforeAll
        static void start(Clusters clusters) {
            seen = clusters;
            assertNotNull(clusters.dc2());
            throw new IllegalStateException("the class's own setup fails");
        }

        @Test
        void test() {
            fail("not reached");
        }
    }

    /** ACLs turned off again by a setting: the bootstrap the annotation asks for is refused. */
    @TwoClusters(acl = "deny", bootstrap = true, settings = "peering.acl.enabled=false")
    @EnabledIf("io.clusterpeering.support.TwoClustersExtensionTest#launching")
    static class FailingBootstrap {
        @Test
        void test() {
            fail("not reached");
        }
    }
}
