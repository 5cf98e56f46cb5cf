using System.Buffers;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Chunks;

namespace RtmpRelay.Tests.Protocol.Chunks;

/// <summary>
/// Feeds bytes to a <see cref="ChunkReader"/> the ways a transport can deliver them: whole, byte by byte, as one
/// multi-segment buffer split anywhere, or as separate arrivals (what the reader left unconsumed stays in front of
/// the next arrival, as with a pipe's AdvanceTo). Every way must give the same messages.
/// </summary>
internal static class ChunkFeed
{
    /// <summary>Inputs up to this length are split into three segments at every pair of offsets; longer ones at sampled pairs.</summary>
    private const int ExhaustiveThreeWayLimit = 160;

    /// <summary>Inputs up to this length are split into two segments at every offset; longer ones at sampled offsets.</summary>
    private const int ExhaustiveTwoWayLimit = 4096;

    /// <summary>Parses <paramref name="buffer"/> (one delivery) until the reader needs more bytes.</summary>
    public static List<MessageSnapshot> Read(ChunkReader reader, ref ReadOnlySequence<byte> buffer)
    {
        var messages = new List<MessageSnapshot>();
        while (reader.TryRead(ref buffer, out var message))
        {
            try
            {
                messages.Add(MessageSnapshot.Of(message));
            }
            finally
            {
                message.Release();
            }
        }
        return messages;
    }

    /// <summary>Delivers <paramref name="arrivals"/> one after the other; returns the messages and the bytes left unconsumed.</summary>
    public static (List<MessageSnapshot> Messages, int Unconsumed) Arrivals(IEnumerable<ReadOnlyMemory<byte>> arrivals, ChunkReaderLimits? limits = null)
    {
        using var reader = new ChunkReader(limits);
        var messages = new List<MessageSnapshot>();
        byte[] pending = [];
        foreach (var arrival in arrivals)
        {
            var buffer = pending.Length == 0 ? ChunkSegment.Sequence(arrival) : ChunkSegment.Sequence(pending, arrival);
            messages.AddRange(Read(reader, ref buffer));
            pending = buffer.ToArray();
        }
        return (messages, pending.Length);
    }

    /// <summary>Delivers one buffer made of <paramref name="parts"/> as separate segments.</summary>
    public static (List<MessageSnapshot> Messages, int Unconsumed) Segments(ChunkReaderLimits? limits, params ReadOnlyMemory<byte>[] parts)
    {
        using var reader = new ChunkReader(limits);
        var buffer = ChunkSegment.Sequence(parts);
        var messages = Read(reader, ref buffer);
        return (messages, (int)buffer.Length);
    }

    /// <summary>Every way of feeding <paramref name="input"/> this harness knows, with a label for failure messages.</summary>
    public static IEnumerable<(string Mode, Func<(List<MessageSnapshot> Messages, int Unconsumed)> Run)> Feeds(byte[] input, ChunkReaderLimits? limits = null, int? seed = null)
    {
        ReadOnlyMemory<byte> memory = input;
        yield return ("whole", () => Segments(limits, memory));
        yield return ("byte by byte", () => Arrivals(Enumerable.Range(0, input.Length).Select(i => memory.Slice(i, 1)), limits));
        foreach (var s in TwoWaySplits(input.Length, seed ?? input.Length))
        {
            yield return ($"two segments split at {s}", () => Segments(limits, memory[..s], memory[s..]));
            yield return ($"two arrivals split at {s}", () => Arrivals([memory[..s], memory[s..]], limits));
        }
        foreach (var (i, j) in ThreeWaySplits(input.Length, seed ?? input.Length))
        {
            yield return ($"three segments split at {i}, {j}", () => Segments(limits, memory[..i], memory[i..j], memory[j..]));
            yield return ($"three arrivals split at {i}, {j}", () => Arrivals([memory[..i], memory[i..j], memory[j..]], limits));
        }
    }

    /// <summary>Asserts that every way of feeding <paramref name="input"/> gives exactly <paramref name="expected"/> and consumes every byte.</summary>
    public static void AssertAllFeeds(byte[] input, IReadOnlyList<MessageSnapshot> expected, ChunkReaderLimits? limits = null)
    {
        foreach (var (mode, run) in Feeds(input, limits))
        {
            var (messages, unconsumed) = run();
            if (!messages.SequenceEqual(expected))
            {
                Assert.Fail($"Fed {mode}: expected\n  {string.Join("\n  ", expected)}\nbut got\n  {string.Join("\n  ", messages)}");
            }
            if (unconsumed != 0)
            {
                Assert.Fail($"Fed {mode}: {unconsumed} bytes left unconsumed after the last complete message.");
            }
        }
    }

    /// <summary>Asserts that every way of feeding <paramref name="input"/> throws <see cref="RtmpProtocolException"/> (that exact type).</summary>
    public static void AssertAllFeedsThrow(byte[] input, ChunkReaderLimits? limits = null, string? reasonContains = null)
    {
        foreach (var (mode, run) in Feeds(input, limits))
        {
            Exception? thrown = null;
            try
            {
                run();
            }
            catch (Exception ex)
            {
                thrown = ex;
            }
            if (thrown is null)
            {
                Assert.Fail($"Fed {mode}: no exception.");
            }
            if (thrown.GetType() != typeof(RtmpProtocolException))
            {
                Assert.Fail($"Fed {mode}: expected RtmpProtocolException but got {thrown}");
            }
            if (reasonContains is not null && !thrown.Message.Contains(reasonContains, StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail($"Fed {mode}: reason '{thrown.Message}' does not mention '{reasonContains}'.");
            }
        }
    }

    private static IEnumerable<int> TwoWaySplits(int length, int seed)
    {
        if (length <= ExhaustiveTwoWayLimit)
        {
            return Enumerable.Range(0, length + 1);
        }
        var random = new Random(seed);
        return Enumerable.Range(0, 300).Select(_ => random.Next(length + 1)).Concat([0, 1, length - 1, length]);
    }

    private static IEnumerable<(int, int)> ThreeWaySplits(int length, int seed)
    {
        if (length <= ExhaustiveThreeWayLimit)
        {
            for (var i = 0; i <= length; i++)
            {
                for (var j = i; j <= length; j++)
                {
                    yield return (i, j);
                }
            }
            yield break;
        }
        var random = new Random(seed);
        for (var n = 0; n < 400; n++)
        {
            var a = random.Next(length + 1);
            var b = random.Next(length + 1);
            yield return (Math.Min(a, b), Math.Max(a, b));
        }
    }
}
