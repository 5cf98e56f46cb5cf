using System.Buffers;
using RtmpRelay.Fuzz.Infrastructure;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Fuzz.Targets;

/// <summary>
/// The chunk stream reader (fmt 0-3, extended timestamps, Set Chunk Size, Abort) and, for each message it returns,
/// the payload parsers (aggregate, AMF, FLV tag facts, control values). Input: one direction of a chunk stream, as it
/// follows the handshake. The bytes are read twice, whole and in pieces; the messages must not depend on the split.
/// </summary>
internal static class ChunkTarget
{
    /// <summary>The relay's defaults, smaller where a limit would only make the fuzzer slow.</summary>
    private static readonly ChunkReaderLimits Limits = new() { MaxMessageLength = 1 << 20, MaxChunkStreams = 64, MaxPendingBytes = 4 << 20 };

    /// <summary>Longest header the reader may leave unconsumed: basic 3 + message 11 + extended timestamp 4.</summary>
    private const int MaxHeldBytes = 18;

    public static void Run(ReadOnlyMemory<byte> data)
    {
        var whole = Read(data, inPieces: false);
        var pieces = Read(data, inPieces: true);
        var common = Math.Min(whole.Count, pieces.Count);
        for (var i = 0; i < common; i++)
        {
            if (whole[i] != pieces[i])
            {
                throw new FuzzFailure($"message {i} differs when the input arrives in pieces: {whole[i]} vs {pieces[i]}");
            }
        }
    }

    private static List<string> Read(ReadOnlyMemory<byte> data, bool inPieces)
    {
        using var reader = new ChunkReader(Limits);
        var messages = new List<string>();
        try
        {
            if (inPieces)
            {
                Segments.Feed(data, (ref ReadOnlySequence<byte> buffer) =>
                {
                    Drain(reader, ref buffer, messages);
                    return false;
                });
            }
            else
            {
                var buffer = new ReadOnlySequence<byte>(data);
                Drain(reader, ref buffer, messages);
            }
        }
        catch (RtmpProtocolException)
        {
        }
        return messages;
    }

    public static void Drain(ChunkReader reader, ref ReadOnlySequence<byte> buffer, List<string>? fingerprints)
    {
        while (reader.TryRead(ref buffer, out var message))
        {
            try
            {
                if (message.Length > Limits.MaxMessageLength)
                {
                    throw new FuzzFailure($"a message of {message.Length} bytes passed the limit of {Limits.MaxMessageLength}");
                }
                fingerprints?.Add(Fingerprint(message));
                Payloads.Inspect(message);
            }
            finally
            {
                message.Release();
            }
        }
        if (buffer.Length > MaxHeldBytes)
        {
            throw new FuzzFailure($"the chunk reader left {buffer.Length} bytes unconsumed (a header is at most {MaxHeldBytes})");
        }
    }

    private static string Fingerprint(RtmpMessage message)
    {
        var hash = 2166136261u;
        foreach (var b in message.Span)
        {
            hash = (hash ^ b) * 16777619u;
        }
        return $"type {(byte)message.Type} ts {message.Timestamp} msid {message.StreamId} csid {message.ChunkStreamId} length {message.Length} fnv {hash:x8}";
    }
}
