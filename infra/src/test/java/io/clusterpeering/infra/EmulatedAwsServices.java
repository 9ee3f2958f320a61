package io.clusterpeering.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * The AWS services other than DynamoDB that the emulated functions call, on one local endpoint speaking their JSON
 * protocols as the SDK sends them ({@code X-Amz-Target}): Secrets Manager ({@code GetSecretValue},
 * {@code PutSecretValue}), KMS ({@code Encrypt}, {@code Decrypt}, bound to the encryption context) and SQS
 * ({@code SendMessage}, {@code SendMessageBatch}, with the MD5 of each body the SDK checks). The functions reach it
 * through the SDK's own endpoint variables ({@code AWS_ENDPOINT_URL_SECRETS_MANAGER}, ...), so their code and the
 * template's environment stay as deployed. Queued messages are kept for the test to deliver as SQS events.
 */
final class EmulatedAwsServices implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One message sent to a queue. */
    record SentMessage(String queueUrl, String messageId, String body, int delaySeconds) {
    }

    private final HttpServer server;
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final List<SentMessage> sent = new ArrayList<>();

    EmulatedAwsServices() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
        server.start();
    }

    /** The endpoint every service variable points at. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Creates a secret as CloudFormation does for a CDK {@code Secret} without a value: a generated password. */
    void createSecret(String arn) {
        secrets.put(arn, UUID.randomUUID().toString().replace("-", "").substring(0, 24) + "!Aa");
    }

    /** A secret's current value. */
    String secret(String arn) {
        return secrets.get(arn);
    }

    /** Every message sent so far, oldest first. */
    synchronized List<SentMessage> sentMessages() {
        return List.copyOf(sent);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
            JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            ObjectNode answer = JSON.createObjectNode();
            int status = 200;
            switch (target) {
                case "secretsmanager.GetSecretValue" -> {
                    String id = request.path("SecretId").asText();
                    String value = secrets.get(id);
                    if (value == null) {
                        status = 400;
                        answer.put("__type", "ResourceNotFoundException").put("message", "Secrets Manager can't find the specified secret.");
                    } else {
                        answer.put("ARN", id).put("Name", id).put("SecretString", value)
                                .put("VersionId", UUID.randomUUID().toString())
                                .put("CreatedDate", System.currentTimeMillis() / 1000.0);
                        answer.putArray("VersionStages").add("AWSCURRENT");
                    }
                }
                case "secretsmanager.PutSecretValue" -> {
                    String id = request.path("SecretId").asText();
                    if (!secrets.containsKey(id)) {
                        status = 400;
                        answer.put("__type", "ResourceNotFoundException").put("message", "Secrets Manager can't find the specified secret.");
                    } else {
                        secrets.put(id, request.path("SecretString").asText());
                        answer.put("ARN", id).put("Name", id).put("VersionId", UUID.randomUUID().toString());
                        answer.putArray("VersionStages").add("AWSCURRENT");
                    }
                }
                case "TrentService.Encrypt" -> {
                    String sealed = request.path("KeyId").asText() + "\n" + JSON.writeValueAsString(request.path("EncryptionContext"))
                            + "\n" + request.path("Plaintext").asText();
                    answer.put("CiphertextBlob", Base64.getEncoder().encodeToString(sealed.getBytes(StandardCharsets.UTF_8)))
                            .put("KeyId", request.path("KeyId").asText()).put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
                }
                case "TrentService.Decrypt" -> {
                    String[] parts = new String(Base64.getDecoder().decode(request.path("CiphertextBlob").asText()),
                            StandardCharsets.UTF_8).split("\n", 3);
                    if (parts.length != 3 || !parts[1].equals(JSON.writeValueAsString(request.path("EncryptionContext")))) {
                        status = 400;
                        answer.put("__type", "InvalidCiphertextException").put("message", "context mismatch");
                    } else {
                        answer.put("Plaintext", parts[2]).put("KeyId", parts[0]).put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
                    }
                }
                case "AmazonSQS.SendMessage" -> {
                    SentMessage message = enqueue(request.path("QueueUrl").asText(), request);
                    answer.put("MessageId", message.messageId()).put("MD5OfMessageBody", md5(message.body()));
                }
                case "AmazonSQS.SendMessageBatch" -> {
                    var successful = answer.putArray("Successful");
                    answer.putArray("Failed");
                    for (JsonNode entry : request.path("Entries")) {
                        SentMessage message = enqueue(request.path("QueueUrl").asText(), entry);
                        successful.addObject().put("Id", entry.path("Id").asText()).put("MessageId", message.messageId())
                                .put("MD5OfMessageBody", md5(message.body()));
                    }
                }
                default -> {
                    status = 400;
                    answer.put("__type", "UnknownOperationException").put("message", "not emulated: " + target);
                }
            }
            byte[] bytes = JSON.writeValueAsBytes(answer);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            exchange.getResponseHeaders().add("x-amzn-RequestId", UUID.randomUUID().toString());
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private synchronized SentMessage enqueue(String queueUrl, JsonNode entry) {
        SentMessage message = new SentMessage(queueUrl, UUID.randomUUID().toString(), entry.path("MessageBody").asText(),
                entry.path("DelaySeconds").asInt(0));
        sent.add(message);
        return message;
    }

    static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
