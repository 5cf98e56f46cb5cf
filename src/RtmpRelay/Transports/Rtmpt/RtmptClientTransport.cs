using System.Buffers;
using System.IO.Pipelines;
using System.Net.Http.Headers;
using RtmpRelay.Protocol;

namespace RtmpRelay.Transports.Rtmpt;

/// <summary>
/// The client side of an RTMPT tunnel, for rtmpt://, rtmpte:// and rtmpts:// destinations: a duplex pipe whose
/// bytes travel in POST /send bodies, with /idle polls when there is nothing to send, and /close at the end.
/// </summary>
internal sealed class RtmptClientTransport : IDuplexPipe, IAsyncDisposable
{
    private const int MaxSendBytes = 64 * 1024;
    private static readonly TimeSpan PollDelay = TimeSpan.FromMilliseconds(20);
    private static readonly MediaTypeHeaderValue FcsContentType = new("application/x-fcs");

    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly string _session;
    private readonly Pipe _toServer = new(new PipeOptions(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false));
    private readonly Pipe _fromServer = new(new PipeOptions(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false));
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private long _sequence;
    private Task? _pump;

    private RtmptClientTransport(HttpClient http, Uri baseAddress, string session, TimeProvider time)
    {
        _http = http;
        _base = baseAddress;
        _session = session;
        _time = time;
    }

    public PipeReader Input => _fromServer.Reader;
    public PipeWriter Output => _toServer.Writer;

    /// <summary>Opens a session (POST /open/1) and starts moving bytes.</summary>
    public static async Task<RtmptClientTransport> OpenAsync(HttpClient http, Uri baseAddress, TimeProvider time, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(http, new Uri(baseAddress, "open/1"), [0], cancellationToken);
        var session = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
        if (session.Length == 0 || session.Contains('/'))
        {
            throw new RtmpProtocolException($"RTMPT open returned an unusable session id ({session.Length} characters)");
        }
        var transport = new RtmptClientTransport(http, baseAddress, session, time);
        transport._pump = transport.PumpAsync();
        return transport;
    }

    private async Task PumpAsync()
    {
        var reader = _toServer.Reader;
        var lastEmpty = false;
        Exception? failure = null;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                ReadResult result = default;
                bool read;
                if (lastEmpty)
                {
                    // Nothing came back last time: wait a little for something to send before polling again.
                    using var wait = new CancellationTokenSource(PollDelay, _time);
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, _stop.Token);
                    try
                    {
                        result = await reader.ReadAsync(linked.Token);
                        read = true;
                    }
                    catch (OperationCanceledException) when (wait.IsCancellationRequested && !_stop.IsCancellationRequested)
                    {
                        read = false;
                    }
                }
                else
                {
                    read = reader.TryRead(out result);
                }

                byte[] body = [0];
                var closing = false;
                var sending = false;
                if (read)
                {
                    var buffer = result.Buffer;
                    var take = (int)Math.Min(buffer.Length, MaxSendBytes);
                    if (take > 0)
                    {
                        body = buffer.Slice(0, take).ToArray();
                        sending = true;
                    }
                    closing = result.IsCompleted && take == buffer.Length;
                    reader.AdvanceTo(buffer.GetPosition(take));
                }
                if (closing && !sending)
                {
                    using var closed = await PostAsync(_http, Next("close"), [0], CancellationToken.None);
                    return;
                }
                using var response = await PostAsync(_http, Next(sending ? "send" : "idle"), body, _stop.Token);
                var payload = await response.Content.ReadAsByteArrayAsync(_stop.Token);
                var data = payload.AsMemory(Math.Min(1, payload.Length));
                if (data.Length > 0)
                {
                    await _fromServer.Writer.WriteAsync(data, _stop.Token);
                }
                lastEmpty = data.Length == 0 && !sending;
                if (closing)
                {
                    using var closed = await PostAsync(_http, Next("close"), [0], CancellationToken.None);
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or RtmpProtocolException)
        {
            failure = _stop.IsCancellationRequested ? null : ex;
        }
        finally
        {
            await _fromServer.Writer.CompleteAsync(failure is null ? null : new IOException($"RTMPT tunnel failed: {failure.Message}", failure));
            await reader.CompleteAsync();
        }
    }

    private Uri Next(string verb) => new(_base, $"{verb}/{_session}/{_sequence++}");

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, Uri uri, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = FcsContentType;
        var response = await http.PostAsync(uri, content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new RtmpProtocolException($"RTMPT {uri.AbsolutePath.Split('/')[1]} answered {(int)response.StatusCode}");
        }
        return response;
    }

    public async ValueTask DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync();
        if (_pump is not null)
        {
            // Give the pump a moment to send what is left and /close, then stop it.
            await _pump.WaitAsync(TimeSpan.FromSeconds(2), _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await _stop.CancelAsync();
        if (_pump is not null)
        {
            await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _stop.Dispose();
    }
}
