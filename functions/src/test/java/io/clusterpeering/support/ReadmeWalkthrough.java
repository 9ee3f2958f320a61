package io.clusterpeering.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the walkthroughs out of {@code README.md}: the shell commands a reader runs and the output blocks the
 * README shows for them. The convention (see {@code ReadmeWalkthroughTest} for how it is run):
 * <ul>
 *   <li>{@code <!-- walkthrough:begin -->} ... {@code <!-- walkthrough:end -->} bound a walkthrough (HTML
 *       comments, so the page does not show them); {@code <!-- walkthrough:begin acl -->} names one. Everything
 *       else in the README is ignored;</li>
 *   <li>settings after the name, {@code <!-- walkthrough:begin acl peering.acl.enabled=true -->}, are the
 *       configuration properties both clusters of that walkthrough start with (what the README's environment
 *       variables set, e.g. {@code PEERING_ACL_ENABLED=true});</li>
 *   <li>{@code <!-- walkthrough:begin audit continues=main -->} goes on where the named walkthrough ended, with
 *       its clusters and shell (for examples that the README places after the state a walkthrough built);</li>
 *   <li>a fenced {@code sh} block holds commands: each line is one command, with lines ending in {@code \},
 *       open quotes and open {@code $(} joined; a whole-line {@code #} comment is skipped;</li>
 *   <li>a fenced block of any other language ({@code json}, or none) right after (with only prose between) is
 *       what the last command of that {@code sh} block prints;</li>
 *   <li>a trailing comment on a command line, {@code curl ... # []}, is what that command prints;</li>
 *   <li>{@code <!-- status 403 -->} just before an output block gives the HTTP status the output comes with;
 *       without it every {@code curl} of the walkthrough must answer 200.</li>
 * </ul>
 */
public final class ReadmeWalkthrough {
    private static final Pattern BEGIN = Pattern.compile(
            "^<!--\\s*walkthrough:begin(?:\\s+([\\w-]+))?((?:\\s+[\\w.-]+=\\S+)*)\\s*-->\\s*$");
    /** The setting that makes a walkthrough go on from another one. */
    static final String CONTINUES = "continues";
    private static final Pattern END = Pattern.compile("^<!--\\s*walkthrough:end\\s*-->\\s*$");
    private static final Pattern STATUS = Pattern.compile("^<!--\\s*status\\s+(\\d{3})\\s*-->\\s*$");
    private static final Pattern FENCE = Pattern.compile("^```\\s*([\\w-]*).*$");
    private static final Set<String> SHELL = Set.of("sh", "bash", "shell");

    private ReadmeWalkthrough() {
    }

    /** The README of the repository: found from the functions module (Surefire's directory) or the root. */
    public static Path readme() {
        return Stream.of(Path.of("..", "README.md"), Path.of("README.md")).filter(Files::isRegularFile).findFirst()
                .orElseThrow(() -> new IllegalStateException("README.md not found from " + Path.of("").toAbsolutePath()));
    }

    /**
     * The walkthroughs of a README, in order.
     *
     * @throws IllegalArgumentException when the markers or blocks break the convention, naming the line
     */
    public static List<Walkthrough> parse(Path readme) {
        List<String> lines;
        try {
            lines = Files.readAllLines(readme);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Walkthrough> walkthroughs = new ArrayList<>();
        String name = null;
        Map<String, String> settings = Map.of();
        List<Command> commands = null;
        Integer pendingStatus = null;
        boolean lastBlockWasOutput = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher begin = BEGIN.matcher(line);
            if (begin.matches()) {
                require(commands == null, i, "walkthrough:begin inside a walkthrough");
                name = begin.group(1) == null ? "main" : begin.group(1);
                settings = settings(begin.group(2));
                commands = new ArrayList<>();
                continue;
            }
            if (END.matcher(line).matches()) {
                require(commands != null, i, "walkthrough:end without a begin");
                String continued = settings.get(CONTINUES);
                if (continued == null) {
                    walkthroughs.add(new Walkthrough(name, settings, List.copyOf(commands)));
                } else {
                    int earlier = indexOf(walkthroughs, continued);
                    require(earlier >= 0, i, "continues=" + continued + " names no earlier walkthrough");
                    require(settings.size() == 1, i, "a continuation takes the settings of " + continued);
                    Walkthrough base = walkthroughs.get(earlier);
                    List<Command> all = new ArrayList<>(base.commands());
                    all.addAll(commands);
                    walkthroughs.set(earlier, new Walkthrough(base.name(), base.settings(), List.copyOf(all)));
                }
                commands = null;
                continue;
            }
            if (commands == null) {
                continue;
            }
            Matcher status = STATUS.matcher(line);
            if (status.matches()) {
                pendingStatus = Integer.parseInt(status.group(1));
                continue;
            }
            Matcher fence = FENCE.matcher(line);
            if (!fence.matches()) {
                continue;
            }
            String language = fence.group(1);
            int firstLine = i + 1;
            List<String> body = new ArrayList<>();
            for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
                body.add(lines.get(i));
            }
            require(i < lines.size(), firstLine, "a code block is not closed");
            if (SHELL.contains(language)) {
                require(pendingStatus == null, firstLine, "a status marker before a command block");
                List<Command> block = splitCommands(body, firstLine + 1);
                require(!block.isEmpty(), firstLine, "a command block without commands");
                commands.addAll(block);
                lastBlockWasOutput = false;
            } else {
                require(!commands.isEmpty() && !lastBlockWasOutput, firstLine,
                        "an output block that follows no command block");
                Command last = commands.remove(commands.size() - 1);
                require(last.expected() == null, firstLine, "two outputs for one command");
                commands.add(last.expecting(new Expected(String.join("\n", body), language,
                        pendingStatus == null ? 200 : pendingStatus, firstLine + 1)));
                pendingStatus = null;
                lastBlockWasOutput = true;
            }
        }
        require(commands == null, lines.size(), "walkthrough:begin without an end");
        return walkthroughs;
    }

    /**
     * Splits a shell block into commands: a newline ends a command unless it follows {@code \}, or is inside
     * quotes or {@code $(...)}. A comment after a command is its expected output.
     */
    static List<Command> splitCommands(List<String> body, int firstLineNumber) {
        List<Command> commands = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        StringBuilder comment = null;
        int startLine = firstLineNumber;
        boolean single = false;
        boolean dbl = false;
        int subshells = 0;
        boolean firstOfBlock = true;
        String text = String.join("\n", body) + "\n";
        int lineNumber = firstLineNumber;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (comment != null) {
                if (c == '\n') {
                    String command = current.toString().strip();
                    commands.add(new Command(command, firstOfBlock, startLine, null).expecting(
                            new Expected(comment.toString().strip(), "", 200, lineNumber)));
                    firstOfBlock = false;
                    current.setLength(0);
                    comment = null;
                    lineNumber++;
                    startLine = lineNumber;
                } else {
                    comment.append(c);
                }
                continue;
            }
            if (c == '\\' && !single && i + 1 < text.length()) {
                current.append(c).append(text.charAt(++i));
                if (text.charAt(i) == '\n') {
                    lineNumber++;
                }
                continue;
            }
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            } else if (!single && c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '(') {
                subshells++;
            } else if (!single && !dbl && c == ')' && subshells > 0) {
                subshells--;
            } else if (c == '#' && !single && !dbl && subshells == 0
                    && (current.length() == 0 || Character.isWhitespace(current.charAt(current.length() - 1)))) {
                if (current.toString().isBlank()) {
                    // a whole-line comment: skip to the end of the line
                    while (i < text.length() && text.charAt(i) != '\n') {
                        i++;
                    }
                    current.setLength(0);
                    lineNumber++;
                    startLine = lineNumber;
                    continue;
                }
                comment = new StringBuilder();
                continue;
            }
            if (c == '\n' && !single && !dbl && subshells == 0) {
                String command = current.toString().strip();
                if (!command.isEmpty()) {
                    commands.add(new Command(command, firstOfBlock, startLine, null));
                    firstOfBlock = false;
                }
                current.setLength(0);
                lineNumber++;
                startLine = lineNumber;
                continue;
            }
            if (c == '\n') {
                lineNumber++;
            }
            current.append(c);
        }
        return commands;
    }

    private static Map<String, String> settings(String text) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String pair : text.strip().split("\\s+")) {
            if (!pair.isEmpty()) {
                settings.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            }
        }
        return Map.copyOf(settings);
    }

    private static int indexOf(List<Walkthrough> walkthroughs, String name) {
        for (int i = 0; i < walkthroughs.size(); i++) {
            if (walkthroughs.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static void require(boolean condition, int lineIndex, String problem) {
        if (!condition) {
            throw new IllegalArgumentException("README.md line " + (lineIndex + 1) + ": " + problem);
        }
    }

    /**
     * One walkthrough.
     *
     * @param name     {@code main}, or the name after {@code walkthrough:begin}
     * @param settings the configuration properties its clusters start with (none for most)
     * @param commands its commands in order, those of its continuations included
     */
    public record Walkthrough(String name, Map<String, String> settings, List<Command> commands) {
    }

    /**
     * One command.
     *
     * @param text         the shell text, continuation lines included
     * @param startsBlock  whether it is the first command of its block
     * @param line         its first line in the README
     * @param expected     what it prints, or null when the README shows nothing
     */
    public record Command(String text, boolean startsBlock, int line, Expected expected) {
        Command expecting(Expected output) {
            return new Command(text, startsBlock, line, output);
        }
    }

    /**
     * An output the README shows.
     *
     * @param text     the text, without the fences
     * @param language the block's language ({@code json}, or empty)
     * @param status   the HTTP status the command's last request answers
     * @param line     where the output starts in the README
     */
    public record Expected(String text, String language, int status, int line) {
    }
}
