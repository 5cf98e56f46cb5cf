using System.Buffers;
using System.IO.Pipelines;
using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Transports.Rtmpe;

/// <summary>
/// The RTMPE transport layer: after an RTMPE handshake, stands in for the connection's transport the way Kestrel's
/// HttpsConnectionMiddleware stands in for TLS. What the core reads is decrypted, what it writes is encrypted.
/// </summary>
/// <remarks>
/// <code>
///  inner.Input ──► input pump: decrypt ──► _incoming ──► Input (the core reads)
///  inner.Output ◄── output pump: encrypt ◄── _outgoing ◄── Output (the core writes)
/// </code>
/// Both pipes pause their writer at <see cref="PauseWriterThreshold"/> and the pumps move at most 64 KiB per flush,
/// so a slow side holds the other back instead of buffering without bound. Completion and errors flow both ways:
/// <list type="bullet">
/// <item>peer closes or the transport fails: the core's next read ends (or throws) once the decrypted bytes are drained;</item>
/// <item>the core completes Output: what it wrote is encrypted and flushed, then inner.Output completes;</item>
/// <item>the core completes Input, or the transport stops reading our output: the matching pump stops and completes
/// its inner end, and the core's next flush reports completion (or throws the transport's error).</item>
/// </list>
/// Call <see cref="RunAsync"/> once (the pumps start there) and await it, or dispose to abort the pumps. Bytes the
/// handshake left in inner.Input (the client's first chunk after C2) are already ciphertext and are decrypted first.
/// </remarks>
internal sealed class EncryptedDuplexPipe : IDuplexPipe, IAsyncDisposable
{
    /// <summary>Decrypted or plaintext bytes buffered per direction before the producing side waits: 1 MiB.</summary>
    public const long PauseWriterThreshold = 1024 * 1024;

    private const long ResumeWriterThreshold = PauseWriterThreshold / 2;

    // Bytes moved per flush, so one large read cannot overshoot the target's pause threshold by more than this.
    private const int MaxChunk = 64 * 1024;

    private static readonly PipeOptions s_pipeOptions = new(
        pauseWriterThreshold: PauseWriterThreshold,
        resumeWriterThreshold: ResumeWriterThreshold,
        useSynchronizationContext: false);

    private readonly IDuplexPipe _inner;
    private readonly IRtmpeStreamCipher _decryptor;
    private readonly IRtmpeStreamCipher _encryptor;
    private readonly Pipe _incoming = new(s_pipeOptions);
    private readonly Pipe _outgoing = new(s_pipeOptions);
    private readonly object _gate = new();
    private Task? _running;
    private volatile bool _aborted;

    /// <summary>
    /// Wraps <paramref name="inner"/> (positioned right after C2/S2) with the handshake's two RC4 streams:
    /// <paramref name="decryptor"/> for what arrives, <paramref name="encryptor"/> for what leaves.
    /// </summary>
    public EncryptedDuplexPipe(IDuplexPipe inner, IRtmpeStreamCipher decryptor, IRtmpeStreamCipher encryptor)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(decryptor);
        ArgumentNullException.ThrowIfNull(encryptor);
        _inner = inner;
        _decryptor = decryptor;
        _encryptor = encryptor;
    }

    /// <summary>Decrypted bytes from the peer.</summary>
    public PipeReader Input => _incoming.Reader;

    /// <summary>Plaintext for the peer; encrypted on its way out.</summary>
    public PipeWriter Output => _outgoing.Writer;

    /// <summary>
    /// Starts both pumps (on the first call) and returns a task that completes when both have stopped. It does not
    /// fault: errors are handed to the pipe ends instead (see remarks).
    /// </summary>
    public Task RunAsync()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_aborted, this);
            return _running ??= Task.WhenAll(
                Task.Run(() => PumpAsync(_inner.Input, _incoming.Writer, _decryptor)),
                Task.Run(() => PumpAsync(_outgoing.Reader, _inner.Output, _encryptor)));
        }
    }

    /// <summary>
    /// Aborts: completes the core-facing ends, cancels pending transport reads and flushes, and waits for the pumps.
    /// Output the core wrote but the transport has not yet taken may be dropped; to close gracefully, complete
    /// <see cref="Output"/> and await <see cref="RunAsync"/> first.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Task? running;
        lock (_gate)
        {
            if (_aborted)
                return;
            _aborted = true;
            running = _running;
        }

        _incoming.Reader.Complete();
        _outgoing.Writer.Complete();
        if (running is null)
        {
            // Never started: nothing to wait for. The inner pipe belongs to the caller.
            return;
        }

        try
        {
            _inner.Input.CancelPendingRead();
            _inner.Output.CancelPendingFlush();
        }
        catch (ObjectDisposedException)
        {
            // A pump that already finished has completed its end of the inner pipe: nothing left to cancel.
        }
        await running.ConfigureAwait(false);
    }

    /// <summary>
    /// Moves bytes from <paramref name="source"/> through <paramref name="cipher"/> to <paramref name="target"/> until
    /// either end stops. Both directions are this loop: transport to core decrypting, core to transport encrypting.
    /// </summary>
    private async Task PumpAsync(PipeReader source, PipeWriter target, IRtmpeStreamCipher cipher)
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                ReadResult result = await source.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled && _aborted)
                    break;

                ReadOnlySequence<byte> chunk = Chunk(result.Buffer);
                Transform(cipher, chunk, target);
                source.AdvanceTo(chunk.End);

                if (!chunk.IsEmpty)
                {
                    FlushResult flush = await target.FlushAsync().ConfigureAwait(false);
                    // Completed: the other side stopped reading, so nobody wants the rest.
                    if (flush.IsCompleted || (flush.IsCanceled && _aborted))
                        break;
                }
                if (result.IsCompleted && chunk.Length == result.Buffer.Length)
                    break;
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            // The reader of target drains what was transformed, then sees the end (or the error).
            await target.CompleteAsync(error).ConfigureAwait(false);
            await source.CompleteAsync(error).ConfigureAwait(false);
        }
    }

    private static ReadOnlySequence<byte> Chunk(in ReadOnlySequence<byte> buffer) =>
        buffer.Length > MaxChunk ? buffer.Slice(0, MaxChunk) : buffer;

    /// <summary>Runs every byte of <paramref name="buffer"/> through <paramref name="cipher"/> into <paramref name="target"/>, span to span.</summary>
    private static void Transform(IRtmpeStreamCipher cipher, in ReadOnlySequence<byte> buffer, PipeWriter target)
    {
        foreach (ReadOnlyMemory<byte> segment in buffer)
        {
            ReadOnlySpan<byte> source = segment.Span;
            while (!source.IsEmpty)
            {
                Span<byte> destination = target.GetSpan();
                int count = Math.Min(destination.Length, source.Length);
                cipher.Transform(source[..count], destination[..count]);
                target.Advance(count);
                source = source[count..];
            }
        }
    }
}
