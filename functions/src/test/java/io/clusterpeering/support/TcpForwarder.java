package io.clusterpeering.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Forwards TCP connections from a port on 127.0.0.1 to another local port: stands for an acceptor address
 * that comes up after a first, failed establish, or for a link that breaks ({@link #close} also cuts the
 * connections in flight, so kept-alive HTTP connections break too) and comes back (a new forwarder on the same port).
 */
public final class TcpForwarder implements AutoCloseable {
    private final ServerSocket server;
    private final java.util.Set<Socket> open;

    private TcpForwarder(ServerSocket server, java.util.Set<Socket> open) {
        this.server = server;
        this.open = open;
    }

    /** Listens on {@code fromPort} and forwards each connection to {@code toPort}. */
    public static TcpForwarder start(int fromPort, int toPort) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), fromPort), 50);
        java.util.Set<Socket> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), toPort);
                    open.add(client);
                    open.add(upstream);
                    if (server.isClosed()) {
                        // close() ran between accept and add: this connection must not carry anything either
                        client.close();
                        upstream.close();
                        return;
                    }
                    pipe(client.getInputStream(), upstream.getOutputStream(), client, upstream);
                    pipe(upstream.getInputStream(), client.getOutputStream(), client, upstream);
                } catch (IOException e) {
                    return;
                }
            }
        }, "tcp-forwarder-" + fromPort);
        acceptor.setDaemon(true);
        acceptor.start();
        return new TcpForwarder(server, open);
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
