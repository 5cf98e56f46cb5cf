using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Time.Testing;
using RtmpRelay.Authorization;
using RtmpRelay.Destinations;
using RtmpRelay.Options;
using RtmpRelay.Server;
using RtmpRelay.Streams;
using RtmpRelay.Core;

namespace RtmpRelay.Tests.Functional;

/// <summary>
/// The real <see cref="RtmpConnectionHandler"/> on a real <see cref="StreamRegistry"/>, fed over in-memory duplex
/// pipe pairs. Time is a <see cref="FakeTimeProvider"/>, so no timeout fires unless a test advances it. Disposing
/// closes every client and checks that every handler task completed without an exception escaping.
/// </summary>
internal sealed class RelayHarness : IAsyncDisposable
{
    private readonly List<InMemoryConnection> _connections = new();
    private readonly List<TestRtmpClient> _clients = new();

    /// <param name="dialer">When given, the relay pushes to destinations through it (a <see cref="DestinationManager"/> runs).</param>
    /// <param name="callbacks">The HTTP service authorization callbacks reach (default: one that answers 500).</param>
    public RelayHarness(Action<RelayOptions>? configure = null, IDestinationDialer? dialer = null, Random? random = null, HttpMessageHandler? callbacks = null)
    {
        Options = new RelayOptions();
        Options.Applications["live"] = new ApplicationOptions();
        configure?.Invoke(Options);
        Monitor = new TestOptionsMonitor<RelayOptions>(Options);
        Configuration = new RelayConfiguration(Monitor, Log);
        Registry = new StreamRegistry(Time);
        Callbacks = callbacks ?? new CallbackHandler((_, _) => Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.InternalServerError)));
        Failures = new AuthFailureLimiter(Configuration, Time, Log);
        Handler = new RtmpConnectionHandler(Registry, Configuration, Time, Log, new StreamAuthorizer(new TestHttpClientFactory(Callbacks)), Failures);
        if (dialer is not null)
        {
            Destinations = new DestinationManager(Registry, Configuration, dialer, Time, Log, random);
            Destinations.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    public DestinationManager? Destinations { get; }
    public HttpMessageHandler Callbacks { get; }
    public AuthFailureLimiter Failures { get; }

    /// <summary>The destination <paramref name="name"/> of stream live/<paramref name="stream"/>, once it exists (bounded wait).</summary>
    public async Task<DestinationSupervisor> DestinationAsync(string stream, string name)
    {
        DestinationSupervisor? found = null;
        await Eventually.TrueAsync(() =>
            (found = Registry.TryGet(new("live", stream), out var live) ? Destinations!.DestinationsOf(live).FirstOrDefault(d => d.Spec.Name == name) : null) is not null,
            $"destination {name} of live/{stream}");
        return found!;
    }

    /// <summary>Changes the configuration as a reload of the files would.</summary>
    public void Reconfigure(Action<RelayOptions> change)
    {
        var next = RelayOptionsCopy.Of(Monitor.CurrentValue);
        change(next);
        Monitor.Set(next);
    }

    public RelayOptions Options { get; }
    public TestOptionsMonitor<RelayOptions> Monitor { get; }
    public RelayConfiguration Configuration { get; }
    public StreamRegistry Registry { get; }
    public FakeTimeProvider Time { get; } = new();
    public TestLogger Log { get; } = new();
    public RtmpConnectionHandler Handler { get; }

    /// <summary>
    /// Opens a connection: the handler runs on the server side of a pipe pair (synchronously up to its first await,
    /// so its handshake deadline is armed when this returns); the returned client holds the other side.
    /// </summary>
    public InMemoryConnection Open(string id, PipeOptions? serverToClient = null, PipeOptions? clientToServer = null, System.Net.IPEndPoint? remote = null)
    {
        var connection = new InMemoryConnection(id, Handler, serverToClient, clientToServer, remote);
        _connections.Add(connection);
        return connection;
    }

    /// <summary>Opens a connection and completes the handshake.</summary>
    public async Task<TestRtmpClient> HandshakeAsync(string id, PipeOptions? serverToClient = null)
    {
        var client = Open(id, serverToClient).Client;
        _clients.Add(client);
        await client.HandshakeAsync();
        return client;
    }

    /// <summary>Opens a connection, completes the handshake and connects to <paramref name="app"/>.</summary>
    public async Task<TestRtmpClient> ConnectAsync(string id, string app = "live", PipeOptions? serverToClient = null)
    {
        var client = await HandshakeAsync(id, serverToClient);
        await client.ConnectOrFailAsync(app);
        return client;
    }

    public InMemoryConnection Connection(string id) => _connections.Single(c => c.Id == id);

    /// <summary>Waits (bounded) for the handler of <paramref name="id"/> to return, and checks it returned normally.</summary>
    public async Task AssertHandlerCompletedAsync(string id)
    {
        var task = Connection(id).HandlerTask;
        await task.WaitAsync(TestRtmpClient.DefaultTimeout);
        Assert.True(task.IsCompletedSuccessfully, $"{id}: the handler task ended {task.Status}: {task.Exception}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Destinations is not null)
        {
            await Destinations.StopAsync(new CancellationTokenSource(TestRtmpClient.DefaultTimeout).Token);
        }
        foreach (var connection in _connections)
        {
            await connection.Client.DisposeAsync();
        }
        foreach (var connection in _connections)
        {
            await AssertHandlerCompletedAsync(connection.Id);
        }
        var unexpected = Log.Entries.Where(e => e.EventId.Id == TestLogger.Unexpected).ToList();
        Assert.True(unexpected.Count == 0, $"Unexpected failures logged:\n  {string.Join("\n  ", unexpected)}");
    }
}

/// <summary>One connection: the server side as a Kestrel <see cref="DefaultConnectionContext"/>, the client side as a <see cref="TestRtmpClient"/>.</summary>
internal sealed class InMemoryConnection
{
    public InMemoryConnection(string id, ConnectionHandler handler, PipeOptions? serverToClient, PipeOptions? clientToServer, System.Net.IPEndPoint? remote = null)
    {
        Id = id;
        var toServer = new Pipe(clientToServer ?? PipeOptions.Default);
        var toClient = new Pipe(serverToClient ?? PipeOptions.Default);
        ServerTransport = new DuplexPipe(toServer.Reader, toClient.Writer);
        ClientTransport = new DuplexPipe(toClient.Reader, toServer.Writer);
        Context = new DefaultConnectionContext(id, ServerTransport, ClientTransport) { RemoteEndPoint = remote };
        Client = new TestRtmpClient(id, ClientTransport);
        HandlerTask = RunAsync(handler);
    }

    public string Id { get; }
    public IDuplexPipe ServerTransport { get; }
    public IDuplexPipe ClientTransport { get; }
    public DefaultConnectionContext Context { get; }
    public TestRtmpClient Client { get; }
    public Task HandlerTask { get; }

    private async Task RunAsync(ConnectionHandler handler)
    {
        try
        {
            await handler.OnConnectedAsync(Context);
        }
        finally
        {
            // What Kestrel does when the handler returns: the transport is closed.
            await ServerTransport.Input.CompleteAsync();
            await ServerTransport.Output.CompleteAsync();
        }
    }
}
