package io.clusterpeering.support;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** DynamoDB Stream events as Lambda's event source mapping hands them to a stream handler, for tests. */
public final class StreamEvents {
    private StreamEvents() {
    }

    /**
     * One MODIFY record of an item: its keys and a new image of the keys plus {@code image}.
     *
     * @param keys    the item's key attributes, name to string value
     * @param image   the new image's other attributes
     * @param eventId the record's event ID (it shows in the handler's logs)
     */
    public static DynamodbEvent modify(Map<String, String> keys, Map<String, AttributeValue> image, String eventId) {
        Map<String, AttributeValue> keyImage = new HashMap<>();
        keys.forEach((name, value) -> keyImage.put(name, new AttributeValue().withS(value)));
        Map<String, AttributeValue> newImage = new HashMap<>(keyImage);
        newImage.putAll(image);
        StreamRecord change = new StreamRecord();
        change.setKeys(keyImage);
        change.setNewImage(newImage);
        change.setSequenceNumber("1");
        DynamodbEvent.DynamodbStreamRecord record = new DynamodbEvent.DynamodbStreamRecord();
        record.setEventName("MODIFY");
        record.setEventID(eventId);
        record.setDynamodb(change);
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(List.of(record));
        return event;
    }

    /** A string attribute of an image. */
    public static AttributeValue s(String value) {
        return new AttributeValue().withS(value);
    }
}
