package io.clusterpeering.infra;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a synthesized cluster stack from a cloud assembly folder ({@code cdk.out}) with its nested stacks (the route
 * families, {@link RouteFamilyStack}) followed: {@link #flattened} is the stack as if it were one template, each nested
 * stack's resources inlined in place of its {@code AWS::CloudFormation::Stack}, each parameter reference replaced by
 * the value the parent passes and each {@code Fn::GetAtt <nested>.Outputs.X} by that output's value. So the template
 * tests ({@link ApiTemplate}, {@link ClusterStackTest}, {@link EmulatedCluster}) follow a route to its function and a
 * role's grant to the table across stacks exactly as within one.
 */
final class StackTemplates {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StackTemplates() {
    }

    /**
     * The stack's template and every nested stack's, recursively, by file.
     *
     * @param cdkOut    the cloud assembly folder
     * @param stackName the top-level stack ({@code cluster-peering-dc1})
     * @return template file to its parsed JSON, the stack's own first
     */
    static Map<Path, Map<String, Object>> templates(Path cdkOut, String stackName) {
        Map<Path, Map<String, Object>> all = new LinkedHashMap<>();
        collect(cdkOut, cdkOut.resolve(stackName + ".template.json"), all);
        return all;
    }

    /** The stack as one template: Resources (nested stacks inlined) and Outputs (references to them resolved). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> flattened(Path cdkOut, String stackName) {
        return flatten(cdkOut, read(cdkOut.resolve(stackName + ".template.json")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> flatten(Path cdkOut, Map<String, Object> template) {
        Map<String, Object> resources = new LinkedHashMap<>((Map<String, Object>) template.get("Resources"));
        Object outputs = template.getOrDefault("Outputs", Map.of());
        for (Map.Entry<String, Object> entry : List.copyOf(resources.entrySet())) {
            Map<String, Object> resource = (Map<String, Object>) entry.getValue();
            if (!"AWS::CloudFormation::Stack".equals(resource.get("Type"))) {
                continue;
            }
            Map<String, Object> properties = (Map<String, Object>) resource.get("Properties");
            Map<String, Object> parameters = (Map<String, Object>) properties.getOrDefault("Parameters", Map.of());
            Map<String, Object> nested = flatten(cdkOut, read(nestedFile(cdkOut, resource)));
            Map<String, Object> nestedResources = (Map<String, Object>) substitute(nested.get("Resources"), parameters);
            Map<String, Object> nestedOutputs = (Map<String, Object>) substitute(nested.get("Outputs"), parameters);
            resources.remove(entry.getKey());
            nestedResources.forEach((id, inner) -> {
                if ("AWS::CDK::Metadata".equals(((Map<String, Object>) inner).get("Type"))) {
                    return;
                }
                if (resources.put(id, inner) != null) {
                    throw new AssertionError("logical ID " + id + " is in two of the stack's templates");
                }
            });
            Map<String, Object> resolved = new LinkedHashMap<>();
            resources.forEach((id, inner) -> resolved.put(id, outputsOf(inner, entry.getKey(), nestedOutputs)));
            resources.clear();
            resources.putAll(resolved);
            outputs = outputsOf(outputs, entry.getKey(), nestedOutputs);
        }
        Map<String, Object> flat = new LinkedHashMap<>(template);
        flat.put("Resources", resources);
        flat.put("Outputs", outputs);
        return flat;
    }

    /** {@code value} with each {@code Ref} to one of {@code parameters} replaced by the parameter's value. */
    private static Object substitute(Object value, Map<String, Object> parameters) {
        if (value instanceof Map<?, ?> map) {
            if (map.size() == 1 && map.get("Ref") instanceof String name && parameters.containsKey(name)) {
                return parameters.get(name);
            }
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, inner) -> copy.put(key.toString(), substitute(inner, parameters)));
            return copy;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(inner -> substitute(inner, parameters)).toList();
        }
        return value;
    }

    /** {@code value} with each {@code Fn::GetAtt [stackId, Outputs.X]} replaced by output X's value. */
    @SuppressWarnings("unchecked")
    private static Object outputsOf(Object value, String stackId, Map<String, Object> outputs) {
        if (value instanceof Map<?, ?> map) {
            if (map.size() == 1 && map.get("Fn::GetAtt") instanceof List<?> att && stackId.equals(att.get(0))
                    && att.get(1).toString().startsWith("Outputs.")) {
                String name = att.get(1).toString().substring("Outputs.".length());
                return ((Map<String, Object>) outputs.get(name)).get("Value");
            }
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, inner) -> copy.put(key.toString(), outputsOf(inner, stackId, outputs)));
            return copy;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(inner -> outputsOf(inner, stackId, outputs)).toList();
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static void collect(Path cdkOut, Path file, Map<Path, Map<String, Object>> into) {
        Map<String, Object> template = read(file);
        into.put(file, template);
        ((Map<String, Object>) template.get("Resources")).values().forEach(resource -> {
            if ("AWS::CloudFormation::Stack".equals(((Map<String, Object>) resource).get("Type"))) {
                collect(cdkOut, nestedFile(cdkOut, (Map<String, Object>) resource), into);
            }
        });
    }

    /**
     * A nested stack's template file: the asset whose object key its {@code TemplateURL} ends with, as the assembly's
     * asset manifests ({@code *.assets.json}) list it.
     */
    @SuppressWarnings("unchecked")
    private static Path nestedFile(Path cdkOut, Map<String, Object> stackResource) {
        String url = String.valueOf(((Map<String, Object>) stackResource.get("Properties")).get("TemplateURL"));
        List<Path> manifests = new ArrayList<>();
        try (var files = Files.list(cdkOut)) {
            files.filter(f -> f.getFileName().toString().endsWith(".assets.json")).forEach(manifests::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path manifest : manifests) {
            Map<String, Map<String, Object>> assets =
                    (Map<String, Map<String, Object>>) read(manifest).getOrDefault("files", Map.of());
            for (Map.Entry<String, Map<String, Object>> asset : assets.entrySet()) {
                String path = String.valueOf(((Map<String, Object>) asset.getValue().get("source")).get("path"));
                if (path.endsWith(".nested.template.json") && url.contains(asset.getKey() + ".json")) {
                    return cdkOut.resolve(path);
                }
            }
        }
        throw new AssertionError("no nested template in " + cdkOut + " for TemplateURL " + url);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> read(Path file) {
        try {
            return JSON.readValue(file.toFile(), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
