using System.Net;
using System.Net.Sockets;

namespace RtmpRelay.InteropTests.Infrastructure;

/// <summary>
/// A TCP server on a free 127.0.0.1 port that accepts every connection and then neither reads nor answers: an HTTP
/// service that never responds, to run a client's timeout out. <see cref="Dispose"/> closes the listener and every
/// accepted connection.
/// </summary>
internal sealed class SilentTcpServer : IDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _accepted = [];
    private readonly Task _acceptLoop;
    private int _acceptedCount;
    private bool _disposed;

    private SilentTcpServer(Socket listener)
    {
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>How many connections it accepted so far.</summary>
    public int AcceptedCount => Volatile.Read(ref _acceptedCount);

    public static SilentTcpServer Start()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(16);
            return new SilentTcpServer(listener);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    public string Describe() => $"--- silent TCP server 127.0.0.1:{Port}: accepted {AcceptedCount} connections, answered none ---";

    public void Dispose()
    {
        _listener.Dispose();
        lock (_accepted)
        {
            _disposed = true;
            foreach (var socket in _accepted)
            {
                socket.Dispose();
            }

            _accepted.Clear();
        }

        _acceptLoop.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync().ConfigureAwait(false);
                Interlocked.Increment(ref _acceptedCount);
                lock (_accepted)
                {
                    if (_disposed)
                    {
                        socket.Dispose();
                        return;
                    }

                    _accepted.Add(socket);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The listener was closed: done.
        }
    }
}
