using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using RtmpRelay.Fuzz.Infrastructure;
using RtmpRelay.Transports.Rtmpt;
using Yarp.ReverseProxy.Forwarder;

namespace RtmpRelay.Fuzz.Targets;

/// <summary>
/// RTMPT request handling and session routing: the relay's real routes (MapRtmpt), request handler and session store,
/// with the real connection handler behind each session. Input: HTTP/1.1 requests one after another, as a client
/// sends them on one keep-alive connection (what librtmp sends: POST /open/1, /send/ID/n, /idle/ID/n, /close/ID/n, with
/// Content-Length bodies). The literal path segment <c>SID</c> stands for the id of the session last opened (real ids
/// are random); ids of node "edge" go to the cluster forwarder (a stub here). Requests Kestrel itself would refuse (no
/// request line, a target not starting with '/') end the input, as Kestrel ends such a connection.
/// </summary>
internal static class RtmptTarget
{
    private const string SessionPlaceholder = "SID";
    private const int MaxRequests = 64;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    public static void Run(ReadOnlyMemory<byte> data) => RunAsync(data).GetAwaiter().GetResult();

    private static async Task RunAsync(ReadOnlyMemory<byte> data)
    {
        var relay = new FuzzRelay();
        var store = new RtmptSessionStore(relay.Handler, relay.Configuration, relay.Time, relay.Log.For<RtmptSessionStore>());
        using var cluster = new RtmptClusterForwarder(new StubForwarder(), relay.Configuration, relay.Log.For<RtmptClusterForwarder>());
        var handler = new RtmptRequestHandler(store, cluster, relay.Configuration, relay.Time, relay.Log.For<RtmptRequestHandler>());

        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(relay.Log);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton(new System.Diagnostics.DiagnosticListener("RtmpRelay.Fuzz"));
        services.AddRouting();
        services.AddSingleton(handler);
        await using var provider = services.BuildServiceProvider();
        var app = new ApplicationBuilder(provider);
        app.UseRouting();
        app.UseEndpoints(endpoints => endpoints.MapRtmpt());
        var pipeline = app.Build();

        await store.StartAsync(CancellationToken.None);
        var sessions = new List<RtmptSession>();
        var lastId = "";
        try
        {
            var rest = data;
            for (var n = 0; n < MaxRequests && TryParse(ref rest, lastId, out var request); n++)
            {
                var context = request.ToContext(provider);
                await InMemoryPeer.Bounded(Serve(relay, pipeline, context), $"RTMPT request {request.Method} {request.Target} was not answered");
                var body = ((MemoryStream)context.Response.Body).ToArray();
                if (context.Response.ContentLength is { } length && length != body.Length)
                {
                    throw new FuzzFailure($"{request.Method} {request.Target}: Content-Length {length} but {body.Length} body bytes");
                }
                if (request.Target.StartsWith("/open/", StringComparison.Ordinal) && context.Response.StatusCode == StatusCodes.Status200OK)
                {
                    lastId = Encoding.ASCII.GetString(body).TrimEnd('\n');
                    if (!store.TryGet(lastId, out var session))
                    {
                        throw new FuzzFailure($"/open answered session '{lastId}', which the store does not know");
                    }
                    sessions.Add(session);
                }
            }
        }
        finally
        {
            // Shutting down closes every session; each session's connection handler must then end.
            await store.StopAsync(CancellationToken.None);
        }
        foreach (var session in sessions)
        {
            // Time goes on meanwhile: a closing connection may wait (bounded, on the relay's clock) for its last bytes to drain.
            await InMemoryPeer.Bounded(AdvanceWhile(relay, DrainAsync(session)), $"the connection handler of RTMPT session {session.Id} did not end after the session closed");
        }
        relay.Log.ThrowIfFailed();
    }

    /// <summary>Runs one request, moving the fake clock on while it waits (the handshake hold, the idle hold).</summary>
    private static Task Serve(FuzzRelay relay, RequestDelegate pipeline, HttpContext context) => AdvanceWhile(relay, pipeline(context));

    private static async Task AdvanceWhile(FuzzRelay relay, Task task)
    {
        while (!task.IsCompleted)
        {
            await Task.WhenAny(task, Task.Delay(1));
            if (!task.IsCompleted)
            {
                relay.Time.Advance(Tick);
            }
        }
        await task;
    }

    /// <summary>The store completes a session's relay-to-client pipe once its connection handler has returned.</summary>
    private static async Task DrainAsync(RtmptSession session)
    {
        var reader = session.ToClient.Reader;
        while (true)
        {
            var result = await reader.ReadAsync();
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>One HTTP/1.1 request off the front of <paramref name="rest"/>; false when no well-formed request is left.</summary>
    private static bool TryParse(ref ReadOnlyMemory<byte> rest, string lastId, out Request request)
    {
        request = default!;
        var span = rest.Span;
        var end = span.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return false;
        }
        var head = Encoding.Latin1.GetString(span[..end]).Split("\r\n");
        var line = head[0].Split(' ');
        if (line.Length != 3 || line[0].Length == 0 || !line[1].StartsWith('/') || !line[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return false;
        }
        var headers = new HeaderDictionary();
        foreach (var field in head.Skip(1))
        {
            var colon = field.IndexOf(':');
            var name = colon > 0 ? field[..colon].Trim() : "";
            if (name.Length == 0)
            {
                return false; // no colon, or a blank name: Kestrel answers 400 and closes
            }
            headers.Append(name, new StringValues(field[(colon + 1)..].Trim()));
        }
        long? contentLength = null;
        if (headers.ContentLength is { } declared)
        {
            contentLength = declared;
        }
        var bodyStart = end + 4;
        var bodyLength = (int)Math.Min(contentLength ?? 0, span.Length - bodyStart);
        var body = rest.Slice(bodyStart, bodyLength).ToArray();
        rest = rest[(bodyStart + bodyLength)..];
        var target = lastId.Length > 0 ? line[1].Replace("/" + SessionPlaceholder + "/", "/" + lastId + "/", StringComparison.Ordinal) : line[1];
        request = new Request(line[0], target, headers, body, contentLength);
        return true;
    }

    private sealed record Request(string Method, string Target, HeaderDictionary Headers, byte[] Body, long? ContentLength)
    {
        public HttpContext ToContext(IServiceProvider services)
        {
            var context = new DefaultHttpContext { RequestServices = services };
            var query = Target.IndexOf('?');
            var request = context.Request;
            request.Method = Method;
            request.Scheme = "http";
            request.Host = new HostString("127.0.0.1", 8080);
            request.Path = PathString.FromUriComponent(query < 0 ? Target : Target[..query]);
            request.QueryString = query < 0 ? QueryString.Empty : new QueryString(Target[query..]);
            foreach (var (name, value) in Headers)
            {
                request.Headers[name] = value;
            }
            request.ContentLength = ContentLength;
            request.Body = new MemoryStream(Body, writable: false);
            context.Response.Body = new MemoryStream();
            context.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
            context.Connection.RemotePort = 50001;
            return context;
        }
    }

    /// <summary>Stands in for YARP's forwarder: answers as the other node would, without a network.</summary>
    private sealed class StubForwarder : IHttpForwarder
    {
        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentLength = 0;
            return ValueTask.FromResult(ForwarderError.None);
        }

        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer, CancellationToken cancellationToken) =>
            SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer);
    }
}
