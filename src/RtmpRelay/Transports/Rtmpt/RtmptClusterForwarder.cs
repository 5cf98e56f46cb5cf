using System.Net;
using Microsoft.Extensions.Options;
using RtmpRelay.Logging;
using RtmpRelay.Options;
using Yarp.ReverseProxy.Forwarder;

namespace RtmpRelay.Transports.Rtmpt;

/// <summary>
/// Cluster routing without session affinity: a session id starts with the id of the node that owns it, and a request
/// for another node's session is forwarded there by YARP's forwarder, unchanged.
/// </summary>
internal sealed class RtmptClusterForwarder : IDisposable
{
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

    /// <returns>True when the request belonged to another known node and has been answered.</returns>
    public async Task<bool> TryForwardAsync(HttpContext context, string sessionId)
    {
        var separator = sessionId.IndexOf(RtmptSessionStore.NodeSeparator);
        if (separator <= 0)
        {
            return false;
        }
        var node = sessionId[..separator];
        var cluster = _configuration.Current.Options.Cluster;
        if (node == cluster.NodeId || !cluster.Nodes.TryGetValue(node, out var target) || string.IsNullOrEmpty(target.Address))
        {
            return false;
        }
        RtmptLog.Forwarded(_logger, node, target.Address);
        var error = await _forwarder.SendAsync(context, target.Address, _client, ForwarderRequestConfig.Empty, HttpTransformer.Default);
        if (error != ForwarderError.None)
        {
            RtmptLog.ForwardFailed(_logger, node, error.ToString());
        }
        return true;
    }

    public void Dispose() => _client.Dispose();
}
