package io.clusterpeering.local;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.Record;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place that turns SDK stream records (from GetRecords) into the {@link DynamodbEvent} Lambda hands a
 * stream-triggered function, so the local runtime drives the same handler class as AWS does.
 */
public final class StreamRecords {
    private StreamRecords() {
    }

    /**
     * @param records   records from one GetRecords call
     * @param streamArn the stream they came from
     * @return the Lambda event holding them, in order
     */
    public static DynamodbEvent toEvent(List<Record> records, String streamArn) {
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(records.stream().map(record -> toLambdaRecord(record, streamArn)).toList());
        return event;
    }

    private static DynamodbEvent.DynamodbStreamRecord toLambdaRecord(Record record, String streamArn) {
        DynamodbEvent.DynamodbStreamRecord lambdaRecord = new DynamodbEvent.DynamodbStreamRecord();
        lambdaRecord.setEventID(record.eventID());
        lambdaRecord.setEventName(record.eventNameAsString());
        lambdaRecord.setEventSource("aws:dynamodb");
        lambdaRecord.setEventVersion(record.eventVersion());
        lambdaRecord.setAwsRegion(record.awsRegion());
        lambdaRecord.setEventSourceARN(streamArn);
        var sdk = record.dynamodb();
        StreamRecord stream = new StreamRecord();
        stream.setKeys(convert(sdk.keys()));
        stream.setNewImage(sdk.hasNewImage() ? convert(sdk.newImage()) : null);
        stream.setOldImage(sdk.hasOldImage() ? convert(sdk.oldImage()) : null);
        stream.setSequenceNumber(sdk.sequenceNumber());
        stream.setSizeBytes(sdk.sizeBytes());
        if (sdk.streamViewTypeAsString() != null) {
            stream.setStreamViewType(com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamViewType
                    .fromValue(sdk.streamViewTypeAsString()));
        }
        if (sdk.approximateCreationDateTime() != null) {
            stream.setApproximateCreationDateTime(Date.from(sdk.approximateCreationDateTime()));
        }
        lambdaRecord.setDynamodb(stream);
        return lambdaRecord;
    }

    private static Map<String, AttributeValue> convert(Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item) {
        Map<String, AttributeValue> converted = new LinkedHashMap<>();
        item.forEach((name, value) -> converted.put(name, convert(value)));
        return converted;
    }

    private static AttributeValue convert(software.amazon.awssdk.services.dynamodb.model.AttributeValue value) {
        AttributeValue converted = new AttributeValue();
        switch (value.type()) {
            case S -> converted.setS(value.s());
            case N -> converted.setN(value.n());
            case B -> converted.setB(value.b().asByteBuffer());
            case BOOL -> converted.setBOOL(value.bool());
            case NUL -> converted.setNULL(true);
            case SS -> converted.setSS(value.ss());
            case NS -> converted.setNS(value.ns());
            case BS -> converted.setBS(value.bs().stream().map(b -> b.asByteBuffer()).toList());
            case L -> converted.setL(value.l().stream().map(StreamRecords::convert).toList());
            case M -> converted.setM(convert(value.m()));
            default -> throw new IllegalArgumentException("unsupported attribute type " + value.type());
        }
        return converted;
    }
}
