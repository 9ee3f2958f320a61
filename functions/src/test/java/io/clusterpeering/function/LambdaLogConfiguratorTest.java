package io.clusterpeering.function;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The functions' log configuration in Lambda ({@code -Dpeering.log.format=json}): Logback finds the configurator as a
 * service, it writes one JSON object per event with the message, level and the MDC's request ID, and without the
 * flag it leaves the configuration to {@code logback.xml}.
 */
class LambdaLogConfiguratorTest {

    @AfterEach
    void clearFlag() {
        System.clearProperty(LambdaLogConfigurator.FORMAT_PROPERTY);
        MDC.clear();
    }

    @Test
    void logbackFindsItAsAService() {
        assertTrue(ServiceLoader.load(ch.qos.logback.classic.spi.Configurator.class).stream()
                .anyMatch(provider -> provider.type() == LambdaLogConfigurator.class));
    }

    @Test
    void withTheFlagEachEventIsOneJsonLineWithTheRequestId() throws Exception {
        System.setProperty(LambdaLogConfigurator.FORMAT_PROPERTY, "json");
        LoggerContext context = new LoggerContext();
        // the MDC of this JVM (a fresh context has none until SLF4J binds it)
        context.setMDCAdapter(((LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory()).getMDCAdapter());
        LambdaLogConfigurator configurator = new LambdaLogConfigurator();
        configurator.setContext(context);

        assertEquals(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, configurator.configure(context));

        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.INFO, root.getLevel());
        @SuppressWarnings("unchecked")
        ConsoleAppender<ILoggingEvent> appender = assertInstanceOf(ConsoleAppender.class, root.getAppender("STDOUT"));
        MDC.put("AWSRequestId", "req-1");
        LoggingEvent event = new LoggingEvent("x", root, Level.INFO, "peering {} established", null, new Object[]{"p1"});
        String line = new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
        assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one line: " + line);
        JsonNode json = new ObjectMapper().readTree(line);
        assertEquals("INFO", json.path("level").asText());
        assertEquals("req-1", json.path("mdc").path("AWSRequestId").asText(), line);
        assertTrue(line.contains("peering {} established") || line.contains("peering p1 established"), line);
        context.stop();
    }

    @Test
    void withoutTheFlagItLeavesTheXmlConfiguration() {
        LoggerContext context = new LoggerContext();
        LambdaLogConfigurator configurator = new LambdaLogConfigurator();
        configurator.setContext(context);

        assertEquals(ExecutionStatus.NEUTRAL, configurator.configure(context));
        assertNull(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDOUT"));
    }
}
