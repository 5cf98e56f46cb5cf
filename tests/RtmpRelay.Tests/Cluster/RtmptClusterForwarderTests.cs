using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RtmpRelay.Options;
using RtmpRelay.Tests.Functional;
using RtmpRelay.Transports.Rtmpt;
using Yarp.ReverseProxy.Forwarder;

namespace RtmpRelay.Tests.Cluster;

/// <summary>
/// The RTMPT cluster forwarder: which requests it forwards, and where (static list first, then the address template),
/// what it refuses, and what a client gets when the node is gone.
/// </summary>
public sealed class RtmptClusterForwarderTests
{
    private static RtmptClusterForwarder Forwarder(IHttpForwarder forwarder, string? template, Action<ClusterOptions>? configure = null, ILogger<RtmptClusterForwarder>? logger = null)
    {
        var options = new RelayOptions();
        options.Cluster.NodeId = "rtmp-relay-0";
        options.Cluster.NodeAddressTemplate = template;
        configure?.Invoke(options.Cluster);
        var configuration = new RelayConfiguration(new TestOptionsMonitor<RelayOptions>(options), NullLogger<RelayConfiguration>.Instance);
        return new RtmptClusterForwarder(forwarder, configuration, logger ?? NullLogger<RtmptClusterForwarder>.Instance);
    }

    private static DefaultHttpContext Request(string path)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = path;
        context.Response.Body = new MemoryStream();
        return context;
    }

    [Fact]
    public async Task TryForward_UnlistedNodeWithTemplate_SentToTemplateAddressWithForwardedByHeader()
    {
        var recorder = new RecordingForwarder();
        using var forwarder = Forwarder(recorder, "http://{node}.rtmp-relay-headless:8080");

        Assert.True(await forwarder.TryForwardAsync(Request("/idle/rtmp-relay-2.abc/1"), "rtmp-relay-2.abc"));

        var sent = Assert.Single(recorder.Sent);
        Assert.Equal("http://rtmp-relay-2.rtmp-relay-headless:8080", sent.Prefix);
        Assert.Equal("rtmp-relay-0", sent.ForwardedBy);
    }

    [Fact]
    public async Task TryForward_ListedNode_StaticAddressWins()
    {
        var recorder = new RecordingForwarder();
        using var forwarder = Forwarder(recorder, "http://{node}.rtmp-relay-headless:8080",
            cluster => cluster.Nodes["rtmp-relay-2"] = new ClusterNodeOptions { Address = "http://10.0.0.2:8080/" });

        Assert.True(await forwarder.TryForwardAsync(Request("/idle/rtmp-relay-2.abc/1"), "rtmp-relay-2.abc"));

        Assert.Equal("http://10.0.0.2:8080/", Assert.Single(recorder.Sent).Prefix);
    }

    [Theory]
    [InlineData("rtmp-relay-0.abc")] // this node's own session (unknown here: a 404, not a loop)
    [InlineData("evil@attacker:80.abc")]
    [InlineData("a_b.abc")]
    [InlineData("-x.abc")]
    [InlineData("noseparator")]
    [InlineData(".abc")]
    public async Task TryForward_OwnOrNotADnsLabel_NotForwarded(string sessionId)
    {
        var recorder = new RecordingForwarder();
        using var forwarder = Forwarder(recorder, "http://{node}.rtmp-relay-headless:8080");

        Assert.False(await forwarder.TryForwardAsync(Request($"/idle/{sessionId}/1"), sessionId));
        Assert.Empty(recorder.Sent);
    }

    [Fact]
    public async Task TryForward_NoTemplateAndUnlistedNode_NotForwarded()
    {
        var recorder = new RecordingForwarder();
        using var forwarder = Forwarder(recorder, template: null);

        Assert.False(await forwarder.TryForwardAsync(Request("/idle/rtmp-relay-2.abc/1"), "rtmp-relay-2.abc"));
        Assert.Empty(recorder.Sent);
    }

    [Fact]
    public async Task TryForward_AlreadyForwarded_NotForwardedAgainAndLogged()
    {
        var recorder = new RecordingForwarder();
        var logger = new ListLogger();
        using var forwarder = Forwarder(recorder, "http://{node}.rtmp-relay-headless:8080", logger: logger);
        var context = Request("/idle/rtmp-relay-2.abc/1");
        context.Request.Headers[RtmptClusterForwarder.ForwardedByHeader] = "rtmp-relay-1";

        Assert.False(await forwarder.TryForwardAsync(context, "rtmp-relay-2.abc"));

        Assert.Empty(recorder.Sent);
        Assert.Contains(logger.Lines, l => l.Contains("already forwarded by node rtmp-relay-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TryForward_NodeNameDoesNotResolve_502AndWarningWithReason()
    {
        // YARP's real forwarder and a real DNS lookup: .invalid never resolves (RFC 6761).
        using var services = new ServiceCollection().AddLogging().AddHttpForwarder().BuildServiceProvider();
        var logger = new ListLogger();
        using var forwarder = Forwarder(services.GetRequiredService<IHttpForwarder>(), "http://{node}.rtmp-relay-headless.invalid:9", logger: logger);
        var context = Request("/idle/rtmp-relay-2.abc/1");
        context.Request.Body = new MemoryStream([0]);
        context.Request.ContentLength = 1;
        context.RequestServices = services;

        Assert.True(await forwarder.TryForwardAsync(context, "rtmp-relay-2.abc").WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
        var warning = Assert.Single(logger.Lines, l => l.Contains("could not be forwarded", StringComparison.Ordinal));
        Assert.Contains("node rtmp-relay-2's session", warning);
        Assert.Contains("http://rtmp-relay-2.rtmp-relay-headless.invalid:9", warning);
        Assert.DoesNotContain("abc", warning.Replace("headless", "", StringComparison.Ordinal)); // never the session id
    }

    [Fact]
    public async Task TryForward_NodeRefusesConnection_502AndWarningWithReason()
    {
        using var services = new ServiceCollection().AddLogging().AddHttpForwarder().BuildServiceProvider();
        var logger = new ListLogger();
        var port = ClosedPort();
        using var forwarder = Forwarder(services.GetRequiredService<IHttpForwarder>(), $"http://127.0.0.{{node}}:{port}", cluster => cluster.NodeId = "11", logger);
        var context = Request("/idle/13.abc/1");
        context.Request.Body = new MemoryStream([0]);
        context.Request.ContentLength = 1;
        context.RequestServices = services;

        Assert.True(await forwarder.TryForwardAsync(context, "13.abc").WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
        var warning = Assert.Single(logger.Lines, l => l.Contains("could not be forwarded", StringComparison.Ordinal));
        Assert.Contains("refused", warning, StringComparison.OrdinalIgnoreCase);
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Parse("127.0.0.13"), 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed class RecordingForwarder : IHttpForwarder
    {
        public List<(string Prefix, string? ForwardedBy)> Sent { get; } = [];

        public async ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient,
            ForwarderRequestConfig requestConfig, HttpTransformer transformer)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, destinationPrefix);
            await transformer.TransformRequestAsync(context, request, destinationPrefix, CancellationToken.None);
            Sent.Add((destinationPrefix, request.Headers.TryGetValues(RtmptClusterForwarder.ForwardedByHeader, out var values) ? values.Single() : null));
            context.Response.StatusCode = StatusCodes.Status200OK;
            return ForwarderError.None;
        }

        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient,
            ForwarderRequestConfig requestConfig, HttpTransformer transformer, CancellationToken cancellationToken) =>
            SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer);
    }

    private sealed class ListLogger : ILogger<RtmptClusterForwarder>
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }
}
