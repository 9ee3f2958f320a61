package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import io.clusterpeering.store.TableChanges;
import io.clusterpeering.store.TableChanges.TableChange;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a record of Lambda's DynamoDB Streams event (its own attribute model) into the SDK's attribute values and
 * hands it to {@link TableChanges#decode}, so the stream functions see typed changes and never an attribute name.
 * Every attribute type is converted as it is; nothing is interpreted here.
 */
final class StreamRecordImages {
    private StreamRecordImages() {
    }

    /** The change a stream record stands for ({@link TableChanges.Unrelated} for a record without keys). */
    static TableChange decode(DynamodbEvent.DynamodbStreamRecord record) {
        if (record.getDynamodb() == null) {
            return new TableChanges.Unrelated();
        }
        return TableChanges.decode(convert(record.getDynamodb().getKeys()), convert(record.getDynamodb().getNewImage()),
                convert(record.getDynamodb().getOldImage()));
    }

    private static Map<String, AttributeValue> convert(
            Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image) {
        if (image == null) {
            return null;
        }
        Map<String, AttributeValue> converted = new LinkedHashMap<>();
        image.forEach((name, value) -> converted.put(name, convert(value)));
        return converted;
    }

    private static AttributeValue convert(com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue value) {
        if (value.getS() != null) {
            return AttributeValue.fromS(value.getS());
        }
        if (value.getN() != null) {
            return AttributeValue.fromN(value.getN());
        }
        if (value.getBOOL() != null) {
            return AttributeValue.fromBool(value.getBOOL());
        }
        if (value.getB() != null) {
            return AttributeValue.fromB(SdkBytes.fromByteBuffer(value.getB()));
        }
        if (value.getSS() != null) {
            return AttributeValue.fromSs(value.getSS());
        }
        if (value.getNS() != null) {
            return AttributeValue.fromNs(value.getNS());
        }
        if (value.getBS() != null) {
            return AttributeValue.fromBs(value.getBS().stream().map(SdkBytes::fromByteBuffer).toList());
        }
        if (value.getL() != null) {
            List<AttributeValue> list = value.getL().stream().map(StreamRecordImages::convert).toList();
            return AttributeValue.fromL(list);
        }
        if (value.getM() != null) {
            return AttributeValue.fromM(convert(value.getM()));
        }
        return AttributeValue.fromNul(true);
    }
}
