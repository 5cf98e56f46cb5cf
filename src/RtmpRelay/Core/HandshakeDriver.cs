using System.IO.Pipelines;
using RtmpRelay.Protocol;

namespace RtmpRelay.Core;

/// <summary>Runs a handshake state machine over a pipe, within a deadline.</summary>
internal static class HandshakeDriver
{
    public static async Task RunAsync(IDuplexPipe pipe, HandshakeStep step, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            while (true)
            {
                var result = await pipe.Input.ReadAsync(linked.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var done = false;
                try
                {
                    done = step(ref buffer, pipe.Output);
                }
                finally
                {
                    // Once done, the bytes left (the peer's first chunk) stay unexamined so the next read sees them at once.
                    if (done)
                    {
                        pipe.Input.AdvanceTo(buffer.Start);
                    }
                    else
                    {
                        pipe.Input.AdvanceTo(buffer.Start, buffer.End);
                    }
                }
                await pipe.Output.FlushAsync(linked.Token).ConfigureAwait(false);
                if (done)
                {
                    return;
                }
                if (result.IsCompleted)
                {
                    throw new RtmpProtocolException(buffer.Length > 0
                        ? $"peer closed the connection in the middle of the handshake ({buffer.Length} bytes of a packet received)"
                        : "peer closed the connection during the handshake");
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new RtmpProtocolException($"handshake not completed within {timeout.TotalSeconds:0.#} s");
        }
    }
}
