using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using RtmpRelay.Logging;
using RtmpRelay.Options;

namespace RtmpRelay.Transports.Rtmpt;

/// <summary>
/// The RTMPT requests: POST /open/1, /send/{id}/{seq}, /idle/{id}/{seq}, /close/{id}/{seq} (and /fcs/ident2).
/// Every answer has an explicit Content-Length (librtmp parses it and cannot take chunked bodies). Sequence numbers
/// are not enforced: clients disagree on where they start, and a request is served in arrival order anyway.
/// </summary>
/// <remarks>
/// <code>
/// send/idle response body = poll-interval byte | up to MaxResponseBytes of pending server-to-client RTMP bytes
/// open response body      = session id "\n"
/// close response body     = 0x00
/// </code>
/// </remarks>
internal sealed class RtmptRequestHandler
{
    private const string ContentType = "application/x-fcs";
    /// <summary>The first requests of a session carry the handshake: wait this long for the relay's reply.</summary>
    private static readonly TimeSpan HandshakeHold = TimeSpan.FromMilliseconds(50);
    private const int HandshakeRequests = 8;
    private static readonly TimeSpan GateTimeout = TimeSpan.FromSeconds(10);

    private readonly RtmptSessionStore _sessions;
    private readonly RtmptClusterForwarder _cluster;
    private readonly RelayConfiguration _configuration;
    private readonly TimeProvider _time;
    private readonly ILogger<RtmptRequestHandler> _logger;

    public RtmptRequestHandler(RtmptSessionStore sessions, RtmptClusterForwarder cluster, RelayConfiguration configuration, TimeProvider time, ILogger<RtmptRequestHandler> logger)
    {
        _sessions = sessions;
        _cluster = cluster;
        _configuration = configuration;
        _time = time;
        _logger = logger;
    }

    private RtmptOptions Options => _configuration.Current.Options.Rtmpt;

    public async Task IdentAsync(HttpContext context)
    {
        if (!await AcceptAsync(context, readBody: true))
        {
            return;
        }
        // Flash asks this first and goes on to /open/1 when it is not found.
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentLength = 0;
    }

    public async Task OpenAsync(HttpContext context)
    {
        if (!await AcceptAsync(context, readBody: true))
        {
            return;
        }
        var session = _sessions.TryOpen(context.Connection.RemoteIpAddress, context.Request.IsHttps, out var refusal, out var status);
        if (session is null)
        {
            await WriteTextAsync(context, status, refusal + "\n");
            return;
        }
        await WriteTextAsync(context, StatusCodes.Status200OK, session.Id + "\n");
    }

    public async Task SendAsync(HttpContext context) => await ExchangeAsync(context, isSend: true);

    public async Task IdleAsync(HttpContext context) => await ExchangeAsync(context, isSend: false);

    public async Task CloseAsync(HttpContext context)
    {
        // The body is read only once the session is known to be ours: another node's request is forwarded whole.
        if (!await AcceptAsync(context, readBody: false) || await FindSessionAsync(context) is not { } session)
        {
            return;
        }
        await DrainAsync(context.Request.BodyReader, context.RequestAborted);
        _sessions.Remove(session, "client closed the session");
        await WriteBytesAsync(context, [0]);
    }

    private async Task ExchangeAsync(HttpContext context, bool isSend)
    {
        if (!await AcceptAsync(context, readBody: false) || await FindSessionAsync(context) is not { } session)
        {
            return;
        }
        session.Touch();
        if (!await session.Gate.WaitAsync(GateTimeout, context.RequestAborted))
        {
            Reject(context, StatusCodes.Status503ServiceUnavailable, "the session is busy with another request");
            return;
        }
        try
        {
            if (isSend)
            {
                // The body goes to the relay first, so the reply to it (the handshake answer) can ride on this response.
                await context.Request.BodyReader.CopyToAsync(session.ToServer.Writer, context.RequestAborted);
                await session.ToServer.Writer.FlushAsync(context.RequestAborted);
            }
            else
            {
                await DrainAsync(context.Request.BodyReader, context.RequestAborted);
            }
            var hold = isSend ? (session.Requests < HandshakeRequests ? HandshakeHold : TimeSpan.Zero) : Options.IdleHold;
            session.Requests++;
            await RespondWithPendingAsync(context, session, hold);
            session.Touch();
        }
        catch (InvalidOperationException) when (session.IsClosed)
        {
            Reject(context, StatusCodes.Status404NotFound, "the session closed");
        }
        finally
        {
            session.Gate.Release();
        }
    }

    private async Task RespondWithPendingAsync(HttpContext context, RtmptSession session, TimeSpan hold)
    {
        var reader = session.ToClient.Reader;
        var read = reader.TryRead(out var result);
        if (!read && hold > TimeSpan.Zero && !session.IsClosed)
        {
            using var wait = new CancellationTokenSource(hold, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, context.RequestAborted);
            try
            {
                result = await reader.ReadAsync(linked.Token);
                read = true;
            }
            catch (OperationCanceledException) when (wait.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            {
            }
        }
        var pending = read ? result.Buffer : default;
        var take = (int)Math.Min(pending.Length, Options.MaxResponseBytes);
        var drained = read && result.IsCompleted && take == pending.Length;
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.ContentLength = 1 + take;
        var span = response.BodyWriter.GetSpan(1 + take);
        span[0] = session.NextPollByte(take > 0, drained);
        pending.Slice(0, take).CopyTo(span[1..]);
        response.BodyWriter.Advance(1 + take);
        if (read)
        {
            reader.AdvanceTo(pending.GetPosition(take));
        }
        if (drained)
        {
            _sessions.Remove(session, "the relay closed the connection");
        }
        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>Checks the method and caps the body. False when the request was answered already.</summary>
    private async Task<bool> AcceptAsync(HttpContext context, bool readBody)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = "POST";
            Reject(context, StatusCodes.Status405MethodNotAllowed, $"method {context.Request.Method}");
            return false;
        }
        var max = Options.MaxRequestBodyBytes;
        if (context.Request.ContentLength > max)
        {
            Reject(context, StatusCodes.Status413PayloadTooLarge, $"body of {context.Request.ContentLength} bytes, over {max}");
            return false;
        }
        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (limit is { IsReadOnly: false })
        {
            limit.MaxRequestBodySize = max;
        }
        if (readBody)
        {
            await DrainAsync(context.Request.BodyReader, context.RequestAborted);
        }
        return true;
    }

    private async Task<RtmptSession?> FindSessionAsync(HttpContext context)
    {
        var id = context.Request.RouteValues["id"] as string ?? "";
        if (_sessions.TryGet(id, out var session))
        {
            return session;
        }
        if (await _cluster.TryForwardAsync(context, id))
        {
            return null;
        }
        Reject(context, StatusCodes.Status404NotFound, "unknown or closed session");
        return null;
    }

    private void Reject(HttpContext context, int status, string reason)
    {
        RtmptLog.Rejected(_logger, context.Request.Path, context.Connection.RemoteIpAddress?.ToString(), status, reason);
        context.Response.StatusCode = status;
        context.Response.ContentLength = 0;
    }

    private static async Task DrainAsync(PipeReader body, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await body.ReadAsync(cancellationToken);
            body.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    private static Task WriteTextAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        return WriteBytesAsync(context, Encoding.ASCII.GetBytes(text));
    }

    private static async Task WriteBytesAsync(HttpContext context, byte[] body)
    {
        context.Response.ContentType = ContentType;
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
