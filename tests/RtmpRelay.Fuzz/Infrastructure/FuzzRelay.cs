using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RtmpRelay.Authorization;
using RtmpRelay.Options;
using RtmpRelay.Server;
using RtmpRelay.Streams;

namespace RtmpRelay.Fuzz.Infrastructure;

/// <summary>
/// The real <see cref="RtmpConnectionHandler"/> on a real <see cref="StreamRegistry"/>, as the unit tests' relay
/// harness builds it: one application "live" with the default settings, time from a <see cref="FakeTimeProvider"/>
/// (no deadline fires unless a target advances it), no authorization callbacks.
/// </summary>
internal sealed class FuzzRelay
{
    public FuzzRelay()
    {
        Options = new RelayOptions();
        Options.Applications["live"] = new ApplicationOptions();
        Options.Cluster.Nodes["edge"] = new ClusterNodeOptions { Address = "http://127.0.0.1:9" };
        Configuration = new RelayConfiguration(new FixedOptions(Options), Log.For<RelayConfiguration>());
        Registry = new StreamRegistry(Time);
        var failures = new AuthFailureLimiter(Configuration, Time, Log.For<AuthFailureLimiter>());
        Handler = new RtmpConnectionHandler(Registry, Configuration, Time, Log.For<RtmpConnectionHandler>(), new StreamAuthorizer(new NoHttp()), failures);
    }

    public RelayOptions Options { get; }
    public RelayConfiguration Configuration { get; }
    public StreamRegistry Registry { get; }
    public FakeTimeProvider Time { get; } = new();
    public FuzzLog Log { get; } = new();
    public RtmpConnectionHandler Handler { get; }

    private sealed class FixedOptions(RelayOptions value) : IOptionsMonitor<RelayOptions>
    {
        public RelayOptions CurrentValue => value;

        public RelayOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<RelayOptions, string?> listener) => null;
    }

    /// <summary>No callbacks are configured, so nothing may call out; if something does, it fails at once.</summary>
    private sealed class NoHttp : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(new Refuse());

        private sealed class Refuse : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
                Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable));
        }
    }
}
