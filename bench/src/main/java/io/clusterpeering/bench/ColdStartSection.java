package io.clusterpeering.bench;

import io.clusterpeering.bench.probe.ProbeEvents;
import io.clusterpeering.bench.probe.RecordedCalls;
import io.clusterpeering.function.ListPeeringsFunction;
import io.clusterpeering.function.ReadPeeringFunction;
import io.clusterpeering.function.GenerateTokenFunction;
import io.clusterpeering.function.Routes;
import io.clusterpeering.local.LocalCluster;
import software.amazon.awssdk.core.SdkRequest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Cold start of every HTTP function from the Lambda jar, each beside a plain-Java handler making the same
 * DynamoDB calls (median of N fresh JVMs each, run interleaved so that the machine's load falls on both alike),
 * then the SnapStart figures: what priming costs before the snapshot and what it saves on the first request
 * after a (simulated) restore.
 */
final class ColdStartSection implements Section {
    static final String TITLE = "Cold start";
    static final String SNAPSTART = "SnapStart priming";
    /** The functions whose cold start the issue names: more runs, and the SnapStart figures. */
    static final List<Class<?>> HEADLINE = List.of(ListPeeringsFunction.class, ReadPeeringFunction.class,
            GenerateTokenFunction.class);
    static final double TARGET = 1.5;

    @Override
    public String id() {
        return "cold";
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public List<String> subtitles() {
        return List.of(SNAPSTART);
    }

    @Override
    public void run(BenchRun run) throws Exception {
        String client = run.lambdaHttpClient();
        try (LocalCluster acceptor = Cluster.local(run, "dc9", Map.of());
             Cluster cluster = Cluster.start(run.endpoint(), run.newTable("cold"), true, Map.of());
             Cluster dialer = Cluster.start(run.endpoint(), run.newTable("dialer"), false, Map.of("peering.datacenter", "dc2"))) {
            Cluster acceptorFunctions = Cluster.over(acceptor);
            RouteRequests requests = new RouteRequests(cluster, dialer, name -> acceptorFunctions
                    .ok("POST", "/v1/peering/token", "{\"PeerName\":\"" + name + "\"}").get("PeeringToken").asText());
            Map<String, String> env = new HashMap<>();
            env.put("PEERING_DYNAMODB_ENDPOINT", run.endpoint());
            env.put("AWS_REGION", "us-east-1");
            env.put("PEERING_DYNAMODB_REGION", "us-east-1");
            env.put("PEERING_DYNAMODB_TABLE_NAME", cluster.table());
            env.put("PEERING_DATACENTER", "dc1");
            env.put("PEERING_ACL_ENABLED", "true");
            env.put("PEERING_ACL_DEFAULT_POLICY", "deny");
            env.put("PEERING_ADVERTISE_URL", "http://127.0.0.1:9");
            env.put("PEERING_IDENTITY_SOURCE", "dynamodb");
            List<String> lambdaFlags = List.of("-Dlogback.configurationFile=logback-lambda.xml");

            List<Routes.Route> routes = new ArrayList<>(Routes.ALL);
            if (run.options().headlineOnly()) {
                routes.removeIf(r -> !HEADLINE.contains(r.handler()));
            }
            routes.sort((a, b) -> Boolean.compare(!HEADLINE.contains(a.handler()), !HEADLINE.contains(b.handler())));
            List<String> unmeasured = new ArrayList<>();
            List<String> names = new ArrayList<>();
            double[] functionMedians = new double[routes.size()];
            double[] plainMedians = new double[routes.size()];
            Map<Class<?>, List<Long>> firstRequests = new HashMap<>();
            int index = 0;
            for (Routes.Route route : routes) {
                String fn = route.handler().getSimpleName();
                run.progress().step(fn + ": recording its DynamoDB calls");
                RouteRequests.Req recorded;
                try {
                    recorded = requests.request(route, -1);
                } catch (UnsupportedRoute e) {
                    // a route added after RouteRequests was written: say so, measure the others
                    unmeasured.add(fn + " (" + route.method() + " " + route.path() + ")");
                    continue;
                }
                List<SdkRequest> calls;
                try (Cluster fresh = Cluster.attach(run.endpoint(), cluster.table(), true, cluster.token())) {
                    calls = CallRecorder.record(() -> fresh.call(recorded.method(), recorded.pathAndQuery(), recorded.body()));
                }
                Path callsFile = run.work().resolve(fn + ".calls");
                RecordedCalls.write(callsFile, calls);
                int runs = HEADLINE.contains(route.handler()) ? 2 * run.options().coldRuns() + 1 : run.options().coldRuns();
                List<Long> fTotal = new ArrayList<>();
                List<Long> pTotal = new ArrayList<>();
                List<Long> fInit = new ArrayList<>();
                List<Long> fFirst = new ArrayList<>();
                List<Long> fCpu = new ArrayList<>();
                List<Long> pCpu = new ArrayList<>();
                Map<Integer, Integer> statuses = new TreeMap<>();
                String refusal = null;
                for (int i = 0; i < runs; i++) {
                    run.progress().step(String.format("%s (%d/%d): fresh JVM %d/%d", fn, index + 1, routes.size(), i + 1, runs));
                    RouteRequests.Req req = requests.request(route, i);
                    Path event = run.work().resolve(fn + "-" + i + ".event");
                    Cluster.Request split = Cluster.Request.of(req.method(), req.pathAndQuery(), req.body());
                    ProbeEvents.write(event, req.method(), split.path(), split.pathParameters(), split.query(),
                            cluster.headers(), req.body());
                    BenchRun.ProbeResult f = run.probe(run.lambdaClasspath(), route.handler().getName(), event, env,
                            lambdaFlags, false);
                    BenchRun.ProbeResult p = run.probe(run.lambdaClasspath(), "io.clusterpeering.bench.probe.PlainJavaHandler",
                            event, env, List.of("-Dbench.calls=" + callsFile, "-Dbench.http-client=" + client), false);
                    fTotal.add(f.total());
                    fInit.add(f.init());
                    fFirst.add(f.firstRequest());
                    fCpu.add(f.cpu());
                    pTotal.add(p.total());
                    pCpu.add(p.cpu());
                    statuses.merge(f.status(), 1, Integer::sum);
                    if (f.status() >= 300) {
                        refusal = f.body();
                    }
                }
                firstRequests.put(route.handler(), fFirst);
                names.add(fn);
                functionMedians[index] = Stats.median(fTotal);
                plainMedians[index] = Stats.median(pTotal);
                String detail = String.format(java.util.Locale.ROOT,
                        "status %s; init %.0f + first request %.0f ms; CPU %.0f vs %.0f ms; calls: %s; runs %s vs %s%s",
                        statuses.keySet(), Stats.median(fInit), Stats.median(fFirst), Stats.median(fCpu), Stats.median(pCpu),
                        summary(calls), Stats.list(fTotal), Stats.list(pTotal), refusal == null ? "" : "; answer: " + refusal);
                run.results().add(Figure.versus("cold." + fn, TITLE, "cold start " + fn + " (" + route.method() + " "
                                + route.path() + ")", functionMedians[index], "ms",
                        "plain-Java handler, same calls, " + client, plainMedians[index], detail, "cold-start.png").target(TARGET));
                index++;
            }
            if (!unmeasured.isEmpty()) {
                run.results().note(TITLE, "**Not measured** (no request for them in `RouteRequests` yet): "
                        + String.join(", ", unmeasured) + ".");
                functionMedians = java.util.Arrays.copyOf(functionMedians, index);
                plainMedians = java.util.Arrays.copyOf(plainMedians, index);
            }
            Map<String, double[]> series = new LinkedHashMap<>();
            series.put("function (median)", functionMedians);
            series.put("plain-Java handler, same DynamoDB calls (median)", plainMedians);
            Charts.bars(run.results().dir().resolve("cold-start.png"),
                    "Cold start from the Lambda jar: fresh JVM to first answer", "ms", names, series, true);
            run.results().note(TITLE, "Each function: a fresh JVM (`" + String.join(" ", BenchRun.LAMBDA_JVM_FLAGS)
                    + " -Dlogback.configurationFile=logback-lambda.xml`, classpath = `functions-lambda.jar` + the probe) runs "
                    + "the handler's no-argument constructor and answers one API Gateway v2 event, its JSON bytes through the "
                    + "stream entry point Lambda calls (`handleRequest(InputStream, OutputStream, Context)`), with the deployment's "
                    + "settings (ACLs on, default deny, the management token on the request; identity read from the table, "
                    + "where AWS reads Secrets Manager). Its denominator is `PlainJavaHandler` (bench/), no framework, in a "
                    + "fresh JVM from the same jar, called the same way: it builds the DynamoDB client with the same HTTP "
                    + "client, reads the event with Jackson and makes exactly the DynamoDB calls the function made for that request (recorded through an SDK interceptor), then "
                    + "writes the items as JSON by hand. Measured from process start to the answer.");
            snapStart(run, routes, requests, cluster, env, lambdaFlags, firstRequests);
        }
    }

    /** Priming cost before the snapshot, and the first request after a simulated restore, with and without it. */
    private static void snapStart(BenchRun run, List<Routes.Route> routes, RouteRequests requests, Cluster cluster,
                                  Map<String, String> env, List<String> lambdaFlags, Map<Class<?>, List<Long>> unprimed) {
        List<String> names = new ArrayList<>();
        List<Double> primedFirst = new ArrayList<>();
        List<Double> unprimedFirst = new ArrayList<>();
        for (Routes.Route route : routes) {
            if (!HEADLINE.contains(route.handler())) {
                continue;
            }
            String fn = route.handler().getSimpleName();
            int runs = 2 * run.options().coldRuns() + 1;
            List<Long> priming = new ArrayList<>();
            List<Long> first = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                run.progress().step(String.format("%s: simulated checkpoint and restore, JVM %d/%d", fn, i + 1, runs));
                RouteRequests.Req req = requests.request(route, 1000 + i);
                Path event = run.work().resolve(fn + "-primed-" + i + ".event");
                Cluster.Request split = Cluster.Request.of(req.method(), req.pathAndQuery(), req.body());
                ProbeEvents.write(event, req.method(), split.path(), split.pathParameters(), split.query(),
                        cluster.headers(), req.body());
                BenchRun.ProbeResult r = run.probe(run.lambdaClasspath(), route.handler().getName(), event, env,
                        lambdaFlags, true);
                priming.add(r.priming());
                first.add(r.firstRequest());
            }
            double without = Stats.median(unprimed.get(route.handler()));
            double with = Stats.median(first);
            run.results().add(Figure.alone("snapstart." + fn + ".priming", SNAPSTART, "priming before the snapshot, " + fn,
                    Stats.median(priming), "ms", "beforeCheckpoint + afterRestore of the context's CRaC resources; runs "
                            + Stats.list(priming), "snapstart.png"));
            run.results().add(Figure.versus("snapstart." + fn + ".first", SNAPSTART,
                    "first request after a simulated restore, primed, " + fn, with, "ms",
                    "first request of a cold start without priming", without, "runs " + Stats.list(first), "snapstart.png"));
            names.add(fn);
            primedFirst.add(with);
            unprimedFirst.add(without);
        }
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("first request, no priming", unprimedFirst.stream().mapToDouble(Double::doubleValue).toArray());
        series.put("first request after priming + simulated restore", primedFirst.stream().mapToDouble(Double::doubleValue).toArray());
        Charts.bars(run.results().dir().resolve("snapstart.png"), "SnapStart: the first request after restore", "ms",
                names, series, false);
        run.results().note(SNAPSTART, "No CRaC JDK here (`" + System.getProperty("java.vm.version") + "`; a real "
                + "checkpoint needs a CRaC build of the JDK, which our machines cannot download), so the snapshot is "
                + "simulated: in a fresh JVM the handler is constructed, then every CRaC resource of its context "
                + "(Micronaut registers `OrderedResource` beans with CRaC; `SnapStartPriming` is ours) gets "
                + "`beforeCheckpoint` and `afterRestore`, as Lambda's snapshot and restore would call them, and then the "
                + "first request is timed. The restore itself (the memory image coming back) is Lambda's and not here; "
                + "what priming saves is the difference in the first request.");
    }

    private static String summary(List<SdkRequest> calls) {
        return calls.stream().map(RecordedCalls::operation)
                .collect(Collectors.groupingBy(o -> o, LinkedHashMap::new, Collectors.counting()))
                .entrySet().stream().map(e -> e.getKey() + (e.getValue() > 1 ? "×" + e.getValue() : ""))
                .collect(Collectors.joining(", "));
    }

    /** Thrown by {@link RouteRequests#request} for a route it has no request for. */
    static final class UnsupportedRoute extends IllegalStateException {
        UnsupportedRoute(String message) {
            super(message);
        }
    }
}
