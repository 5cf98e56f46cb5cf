using System.Net;
using System.Net.Http.Headers;
using RtmpRelay.Logging;
using RtmpRelay.Options;
using Yarp.ReverseProxy.Forwarder;

namespace RtmpRelay.Transports.Rtmpt;

/// <summary>
/// Cluster routing without session affinity: a session id starts with the id of the node that owns it, and a request
/// for another node's session is forwarded there by YARP's forwarder, unchanged. The node's address is its entry in
/// Relay:Cluster:Nodes or, for a node not listed, what Relay:Cluster:NodeAddressTemplate makes of its id (only an id
/// that is a plain DNS label: the session id comes from the client). A forwarded request carries
/// <see cref="ForwardedByHeader"/> and is never forwarded again, so a template that points at the wrong pods cannot
/// make requests go round. A node that does not answer (its name does not resolve, the connection is refused) gets the
/// client YARP's 502 and a warning with the reason.
/// </summary>
internal sealed class RtmptClusterForwarder : IDisposable
{
    /// <summary>The header a forwarding node adds, naming itself.</summary>
    public const string ForwardedByHeader = "X-RtmpRelay-Forwarded-By";

    private readonly IHttpForwarder _forwarder;
    private readonly RelayConfiguration _configuration;
    private readonly ILogger<RtmptClusterForwarder> _logger;
    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    public RtmptClusterForwarder(IHttpForwarder forwarder, RelayConfiguration configuration, ILogger<RtmptClusterForwarder> logger)
    {
        _forwarder = forwarder;
        _configuration = configuration;
        _logger = logger;
    }

    /// <returns>True when the request belonged to another node and has been answered (forwarded, or 502).</returns>
    public async Task<bool> TryForwardAsync(HttpContext context, string sessionId)
    {
        var separator = sessionId.IndexOf(RtmptSessionStore.NodeSeparator);
        if (separator <= 0)
        {
            return false;
        }
        var node = sessionId[..separator];
        var cluster = _configuration.Current.Options.Cluster;
        if (!cluster.TryGetNodeAddress(node, out var address))
        {
            return false;
        }
        if (context.Request.Headers.TryGetValue(ForwardedByHeader, out var by))
        {
            // Forwarded here by a node that believed this one to be `node`: answering as unknown ends the session
            // instead of sending the request round the cluster.
            RtmptLog.ForwardFailed(_logger, node, $"the request was already forwarded by node {Printable(by.ToString())} " +
                $"to this node ({cluster.NodeId}); check Relay:Cluster:NodeAddressTemplate and Nodes");
            return false;
        }
        RtmptLog.Forwarded(_logger, node, address);
        // A client that hangs up right after a request (librtmp at the end of a stream) must not cancel it on the way:
        // the owner gets every /send whole, as it would have had the request reached it directly. The activity timeout
        // bounds a forward whose client has gone.
        var aborted = context.RequestAborted;
        context.RequestAborted = CancellationToken.None;
        ForwarderError error;
        try
        {
            error = await _forwarder.SendAsync(context, address, _client, Config, new ForwardedBy(cluster.NodeId));
        }
        finally
        {
            context.RequestAborted = aborted;
        }
        if (error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient)
        {
            // The command only (/send): the rest of the path is the session id, a secret.
            var command = "/" + (context.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            RtmptLog.Rejected(_logger, command, context.Connection.RemoteIpAddress?.ToString(), context.Response.StatusCode,
                $"the client went away while the request was forwarded to node {node} ({error})");
        }
        else if (error != ForwarderError.None)
        {
            var cause = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            RtmptLog.ForwardFailed(_logger, node, $"{error} at {address}: {Describe(cause)}");
        }
        return true;
    }

    private static readonly ForwarderRequestConfig Config = new() { ActivityTimeout = TimeSpan.FromSeconds(30) };

    public void Dispose() => _client.Dispose();

    /// <summary>The innermost message (a DNS failure, a refused connection), without the HttpClient wrapping.</summary>
    private static string Describe(Exception? exception)
    {
        if (exception is null)
        {
            return "no answer";
        }
        var messages = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }
        return string.Join(": ", messages.Distinct());
    }

    private static string Printable(string value) =>
        value.Length <= ClusterOptions.MaxNodeIdLength && ClusterOptions.IsDnsLabel(value) ? value : "(not a node id)";

    /// <summary>YARP's default request copy, plus <see cref="ForwardedByHeader"/>.</summary>
    private sealed class ForwardedBy(string nodeId) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix,
            CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.Headers.TryAddWithoutValidation(ForwardedByHeader, nodeId);
        }
    }
}
