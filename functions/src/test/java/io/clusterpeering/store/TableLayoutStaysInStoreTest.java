package io.clusterpeering.store;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rule "store/ alone knows the table's layout", checked on the sources: every key prefix and attribute name is
 * a string constant in {@code store/}, and no main source outside it (the rest of {@code functions/}, {@code infra/},
 * {@code bench/}) writes one as a literal. Code elsewhere that needs a name (the CDK table, IAM leading-key
 * conditions, stream filters, the benchmark's raw denominators) takes the public constant or method of
 * {@code store/} instead, so a renamed attribute or prefix cannot leave a copy behind.
 */
class TableLayoutStaysInStoreTest {
    /** A string constant of store/: {@code static final String NAME = "value";}. */
    private static final Pattern CONSTANT = Pattern.compile("static final String (\\w+)\\s*=\\s*\"([^\"]*)\"\\s*;");
    private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    /** An attribute name or a key prefix, as opposed to a message or an expression. */
    private static final Pattern NAME_LIKE = Pattern.compile("[A-Za-z_][A-Za-z_#-]*");
    /** Key prefixes: upper case, ending in {@code #}. Any literal starting with one is a key. */
    private static final Pattern KEY_PREFIX = Pattern.compile("[A-Z_]+#");
    /**
     * Attribute names that are also ordinary words of Consul's API or of our settings, where a literal outside
     * store/ means the word, not the attribute: HTTP path parameters ({@code name}, {@code id}, {@code AccessorID}),
     * ACL rule resources ({@code service}, {@code node}, {@code partition}), metric dimensions
     * ({@code datacenter}, {@code partition}), the local runtime's bean qualifier ({@code local}), the CDK context
     * key {@code datacenters}, and JSON fields of the benchmark's own report ({@code value}, {@code index}).
     */
    private static final Set<String> WORDS = Set.of("name", "id", "AccessorID", "service", "node", "partition",
            "datacenter", "datacenters", "local", "value", "index");

    @Test
    void noMainSourceOutsideStoreNamesAKeyPrefixOrAnAttribute() throws IOException {
        Path functions = Path.of("src", "main", "java");
        Path store = functions.resolve(Path.of("io", "clusterpeering", "store"));
        assertTrue(Files.isDirectory(store), "run from the functions module: " + store.toAbsolutePath());
        Map<String, String> names = new TreeMap<>();
        try (Stream<Path> sources = Files.list(store)) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher constant = CONSTANT.matcher(Files.readString(source));
                while (constant.find()) {
                    if (NAME_LIKE.matcher(constant.group(2)).matches()) {
                        names.putIfAbsent(constant.group(2), source.getFileName() + " " + constant.group(1));
                    }
                }
            }
        }
        List<String> prefixes = names.keySet().stream().filter(n -> KEY_PREFIX.matcher(n).matches()).toList();
        assertTrue(names.containsKey(TableKeys.PK) && prefixes.contains(TableKeys.CATALOG_PREFIX),
                "the constants of store/ were found: " + names.keySet());

        List<String> leaks = new ArrayList<>();
        for (Path root : List.of(functions, Path.of("..", "infra", "src", "main", "java"),
                Path.of("..", "bench", "src", "main", "java"))) {
            try (Stream<Path> sources = Files.walk(root)) {
                for (Path source : sources.filter(p -> p.toString().endsWith(".java") && !p.startsWith(store)).toList()) {
                    List<String> lines = Files.readAllLines(source);
                    for (int i = 0; i < lines.size(); i++) {
                        String line = lines.get(i).strip();
                        if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
                            continue;
                        }
                        Matcher literal = LITERAL.matcher(line);
                        while (literal.find()) {
                            String text = literal.group(1);
                            String named = names.containsKey(text) && !WORDS.contains(text) ? names.get(text)
                                    : prefixes.stream().filter(text::startsWith).findFirst().map(names::get).orElse(null);
                            if (named != null) {
                                leaks.add(source + ":" + (i + 1) + " \"" + text + "\" (store/" + named + ")");
                            }
                        }
                    }
                }
            }
        }
        assertTrue(leaks.isEmpty(), "the table's layout written outside store/; take the constant:\n"
                + String.join("\n", leaks));
    }
}
