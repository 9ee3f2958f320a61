package io.clusterpeering.bench.probe;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;
import software.amazon.awssdk.utils.builder.SdkBuilder;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SDK requests written to a file and read back, so that a fresh JVM can replay exactly the DynamoDB calls a
 * function made. Generic over the SDK's own field metadata ({@link SdkPojo#sdkFields()}): every request and
 * nested shape (an {@code AttributeValue}, a {@code WriteRequest}) is written as its class name and its set
 * fields, and rebuilt through its builder.
 */
public final class RecordedCalls {
    private RecordedCalls() {
    }

    /** Writes the requests, in order. */
    public static void write(Path file, List<? extends SdkRequest> requests) {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(requests.size());
            for (SdkRequest request : requests) {
                value(out, request);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads what {@link #write} wrote. */
    public static List<SdkRequest> read(Path file) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(Files.readAllBytes(file)))) {
            int count = in.readInt();
            List<SdkRequest> requests = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                requests.add((SdkRequest) value(in));
            }
            return requests;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends one request with the client's method of the same operation ({@code GetItemRequest} → {@code getItem}).
     *
     * @return the SDK response
     */
    public static Object invoke(Object client, SdkRequest request) {
        String simple = request.getClass().getSimpleName();
        String operation = Character.toLowerCase(simple.charAt(0)) + simple.substring(1, simple.length() - "Request".length());
        try {
            Class<?> api = client.getClass().getInterfaces()[0];
            return api.getMethod(operation, request.getClass()).invoke(client, request);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot call " + operation, e);
        }
    }

    /** The operation name of a request, for reports: {@code GetItem}. */
    public static String operation(SdkRequest request) {
        String simple = request.getClass().getSimpleName();
        return simple.substring(0, simple.length() - "Request".length());
    }

    private static void value(DataOutputStream out, Object value) throws IOException {
        if (value == null) {
            out.writeByte('N');
        } else if (value instanceof String s) {
            out.writeByte('S');
            bytes(out, s.getBytes(StandardCharsets.UTF_8));
        } else if (value instanceof Boolean b) {
            out.writeByte('B');
            out.writeBoolean(b);
        } else if (value instanceof Integer i) {
            out.writeByte('I');
            out.writeInt(i);
        } else if (value instanceof Long l) {
            out.writeByte('L');
            out.writeLong(l);
        } else if (value instanceof Double d) {
            out.writeByte('D');
            out.writeDouble(d);
        } else if (value instanceof SdkBytes b) {
            out.writeByte('Y');
            bytes(out, b.asByteArray());
        } else if (value instanceof Instant t) {
            out.writeByte('T');
            out.writeLong(t.toEpochMilli());
        } else if (value instanceof Map<?, ?> map) {
            out.writeByte('M');
            out.writeInt(map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                bytes(out, entry.getKey().toString().getBytes(StandardCharsets.UTF_8));
                value(out, entry.getValue());
            }
        } else if (value instanceof Collection<?> list) {
            out.writeByte('A');
            out.writeInt(list.size());
            for (Object element : list) {
                value(out, element);
            }
        } else if (value instanceof SdkPojo pojo) {
            out.writeByte('P');
            bytes(out, pojo.getClass().getName().getBytes(StandardCharsets.UTF_8));
            List<SdkField<?>> set = new ArrayList<>();
            for (SdkField<?> field : pojo.sdkFields()) {
                Object v = field.getValueOrDefault(pojo);
                if (v != null && !(v instanceof SdkAutoConstructMap) && !(v instanceof SdkAutoConstructList)) {
                    set.add(field);
                }
            }
            out.writeInt(set.size());
            for (SdkField<?> field : set) {
                bytes(out, field.memberName().getBytes(StandardCharsets.UTF_8));
                value(out, field.getValueOrDefault(pojo));
            }
        } else {
            throw new IllegalArgumentException("cannot record a " + value.getClass().getName());
        }
    }

    private static Object value(DataInputStream in) throws IOException {
        int tag = in.readByte();
        switch (tag) {
            case 'N': return null;
            case 'S': return new String(bytes(in), StandardCharsets.UTF_8);
            case 'B': return in.readBoolean();
            case 'I': return in.readInt();
            case 'L': return in.readLong();
            case 'D': return in.readDouble();
            case 'Y': return SdkBytes.fromByteArray(bytes(in));
            case 'T': return Instant.ofEpochMilli(in.readLong());
            case 'M': {
                int size = in.readInt();
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < size; i++) {
                    map.put(new String(bytes(in), StandardCharsets.UTF_8), value(in));
                }
                return map;
            }
            case 'A': {
                int size = in.readInt();
                List<Object> list = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    list.add(value(in));
                }
                return list;
            }
            case 'P': {
                String type = new String(bytes(in), StandardCharsets.UTF_8);
                SdkPojo builder;
                try {
                    builder = (SdkPojo) Class.forName(type).getMethod("builder").invoke(null);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot build a " + type, e);
                }
                Map<String, SdkField<?>> fields = new LinkedHashMap<>();
                builder.sdkFields().forEach(f -> fields.put(f.memberName(), f));
                int count = in.readInt();
                for (int i = 0; i < count; i++) {
                    String name = new String(bytes(in), StandardCharsets.UTF_8);
                    Object v = value(in);
                    SdkField<?> field = fields.get(name);
                    if (field == null) {
                        throw new IllegalStateException(type + " has no field " + name);
                    }
                    field.set(builder, v);
                }
                return ((SdkBuilder<?, ?>) builder).build();
            }
            default: throw new IllegalStateException("bad tag " + tag);
        }
    }

    private static void bytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return bytes;
    }
}
