using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using RtmpRelay.Logging;
using RtmpRelay.Options;
using RtmpRelay.Server;

namespace RtmpRelay.Transports.Rtmpt;

/// <summary>
/// The open RTMPT sessions of this node. Creates them within the caps (in total and per client address), runs the
/// relay's connection handler on each, and closes the ones nobody polls any more.
/// </summary>
internal sealed class RtmptSessionStore : BackgroundService
{
    /// <summary>Separates the node id from the random part of a session id.</summary>
    public const char NodeSeparator = '.';

    private readonly ConcurrentDictionary<string, RtmptSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<IPAddress, int> _perClient = new();
    private readonly Lock _createGate = new();
    private readonly RtmpConnectionHandler _handler;
    private readonly RelayConfiguration _configuration;
    private readonly TimeProvider _time;
    private readonly ILogger<RtmptSessionStore> _logger;
    private long _connectionCounter;

    public RtmptSessionStore(RtmpConnectionHandler handler, RelayConfiguration configuration, TimeProvider time, ILogger<RtmptSessionStore> logger)
    {
        _handler = handler;
        _configuration = configuration;
        _time = time;
        _logger = logger;
    }

    public int Count => _sessions.Count;

    public string NodeId => _configuration.Current.Options.Cluster.NodeId;

    /// <summary>Opens a session, or says why not (the caller answers 503 or 429).</summary>
    public RtmptSession? TryOpen(IPAddress? client, bool secure, out string refusal, out int status)
    {
        var options = _configuration.Current.Options;
        var key = client ?? IPAddress.None;
        RtmptSession session;
        lock (_createGate)
        {
            if (_sessions.Count >= options.Rtmpt.MaxSessions)
            {
                refusal = $"{_sessions.Count} sessions open, the limit (Relay:Rtmpt:MaxSessions)";
                status = StatusCodes.Status503ServiceUnavailable;
                RtmptLog.Refused(_logger, client?.ToString(), refusal);
                return null;
            }
            var count = _perClient.GetValueOrDefault(key);
            if (count >= options.Rtmpt.MaxSessionsPerClient)
            {
                refusal = $"client has {count} sessions open, the limit (Relay:Rtmpt:MaxSessionsPerClient)";
                status = StatusCodes.Status429TooManyRequests;
                RtmptLog.Refused(_logger, client?.ToString(), refusal);
                return null;
            }
            _perClient[key] = count + 1;
            var id = $"{options.Cluster.NodeId}{NodeSeparator}{NewRandomId()}";
            var connectionId = $"rtmpt-{Interlocked.Increment(ref _connectionCounter)}";
            session = new RtmptSession(id, connectionId, client, options.Rtmpt.MaxBufferedBytes, _time);
            session.Connection.RemoteEndPoint = client is null ? null : new IPEndPoint(client, 0);
            session.Connection.Items[RtmpConnectionHandler.TransportKey] = secure ? "rtmpts" : "rtmpt";
            _sessions[id] = session;
        }
        refusal = "";
        status = StatusCodes.Status200OK;
        RtmptLog.Opened(_logger, session.Connection.ConnectionId, client?.ToString());
        _ = RunAsync(session);
        return session;
    }

    public bool TryGet(string id, out RtmptSession session) => _sessions.TryGetValue(id, out session!) && !session.IsClosed;

    /// <summary>Ends a session and forgets it.</summary>
    public void Remove(RtmptSession session, string reason)
    {
        if (!_sessions.TryRemove(new KeyValuePair<string, RtmptSession>(session.Id, session)))
        {
            return;
        }
        session.Close();
        var key = session.Client ?? IPAddress.None;
        lock (_createGate)
        {
            var left = _perClient.GetValueOrDefault(key) - 1;
            if (left <= 0)
            {
                _perClient.TryRemove(key, out _);
            }
            else
            {
                _perClient[key] = left;
            }
        }
        RtmptLog.Closed(_logger, session.Connection.ConnectionId, reason);
    }

    /// <summary>The same connection handler as TCP, on the session's pipes.</summary>
    private async Task RunAsync(RtmptSession session)
    {
        await Task.Yield();
        try
        {
            await _handler.OnConnectedAsync(session.Connection);
        }
        finally
        {
            // Whatever the relay wrote last (an _error, a final onStatus) is still fetched by the next poll.
            session.RelayClosed = true;
            await session.ToClient.Writer.CompleteAsync();
            await session.ToServer.Reader.CompleteAsync();
        }
    }

    /// <summary>Closes sessions nobody has polled within the idle timeout.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var timeout = _configuration.Current.Options.Rtmpt.SessionIdleTimeout;
                foreach (var session in _sessions.Values)
                {
                    if (session.IdleFor > timeout)
                    {
                        Remove(session, $"no request for {timeout.TotalSeconds:0.#} s");
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var session in _sessions.Values)
        {
            Remove(session, "relay shutting down");
        }
    }

    /// <summary>128 random bits, base32 (lowercase letters and digits: URL-safe, no '/').</summary>
    private static string NewRandomId()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        Span<char> text = stackalloc char[26];
        var bits = 0;
        var value = 0;
        var at = 0;
        foreach (var b in bytes)
        {
            value = value << 8 | b;
            bits += 8;
            while (bits >= 5)
            {
                text[at++] = alphabet[(value >> (bits - 5)) & 31];
                bits -= 5;
            }
        }
        text[at++] = alphabet[(value << (5 - bits)) & 31];
        return new string(text[..at]);
    }
}
