package io.clusterpeering.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Forwards TCP connections from a port on 127.0.0.1 to another local port: stands for an acceptor address
 * that comes up after a first, failed establish, or for a network path between two clusters that can be cut
 * ({@link #close} also cuts the connections it carries, so kept-alive HTTP connections fail too).
 */
public final class TcpForwarder implements AutoCloseable {
    private final ServerSocket server;
    private final java.util.Set<Socket> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private TcpForwarder(ServerSocket server) {
        this.server = server;
    }

    /** Listens on {@code fromPort} and forwards each connection to {@code toPort}. */
    public static TcpForwarder start(int fromPort, int toPort) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), fromPort), 50);
        TcpForwarder forwarder = new TcpForwarder(server);
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), toPort);
                    forwarder.open.add(client);
                    forwarder.open.add(upstream);
                    pipe(client.getInputStream(), upstream.getOutputStream(), client, upstream);
                    pipe(upstream.getInputStream(), client.getOutputStream(), client, upstream);
                } catch (IOException e) {
                    return;
                }
            }
        }, "tcp-forwarder-" + fromPort);
        acceptor.setDaemon(true);
        acceptor.start();
        return forwarder;
    }

    private static void pipe(InputStream in, OutputStream out, Socket a, Socket b) {
        Thread thread = new Thread(() -> {
            try (a; b) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // one side closed: both sockets are closed by try-with-resources
            }
        });
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
        open.clear();
    }
}
