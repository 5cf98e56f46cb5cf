using System.Net;
using System.Net.Sockets;

namespace RtmpRelay.LoadTest;

/// <summary>
/// One destination: an RTMP server on a loopback port that accepts every stream the relay under test pushes to it
/// and counts them (<see cref="SinkSession"/>); it never records.
/// </summary>
internal sealed class CountingSink : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly int _publishers;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(SinkSession Session, Task Running)> _sessions = [];
    private readonly Lock _gate = new();
    private Task? _accepting;

    public CountingSink(int index, int port, int publishers)
    {
        Index = index;
        Port = port;
        _publishers = publishers;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    }

    public int Index { get; }

    /// <summary>The port asked for, or once started with port 0, the one the system gave.</summary>
    public int Port { get; private set; }

    /// <summary>Binds and starts accepting; throws when the port is taken.</summary>
    public void Start()
    {
        // Reusable right after a previous run's connections (TIME_WAIT), as servers do.
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, Port));
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _listener.Listen(1024);
        _accepting = AcceptAsync();
    }

    public SinkSession[] Sessions
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Select(s => s.Session).ToArray();
            }
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
                var session = new SinkSession(socket, _publishers);
                lock (_gate)
                {
                    _sessions.Add((session, Task.Run(() => session.RunAsync(TimeSpan.FromSeconds(10), _stop.Token))));
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        if (_accepting is not null)
        {
            await _accepting.ConfigureAwait(false);
        }
        Task[] running;
        lock (_gate)
        {
            running = _sessions.Select(s => s.Running).ToArray();
        }
        foreach (var session in Sessions)
        {
            await session.CloseAsync().ConfigureAwait(false);
        }
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _stop.Dispose();
    }
}
