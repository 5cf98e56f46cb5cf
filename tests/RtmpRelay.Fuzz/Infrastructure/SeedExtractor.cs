using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Handshake;
using RtmpRelay.Fuzz.Targets;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Fuzz.Infrastructure;

/// <summary>
/// Turns captures (NNN.c2s / NNN.s2c from <see cref="CaptureProxy"/>) into seed inputs in each target's format:
/// handshakes with their fix-up byte, the chunk streams after them (trimmed), the AMF payloads and media tags in them,
/// RTMPT requests with the session id replaced by SID. Seeds are named after the capture they came from.
/// </summary>
internal static partial class SeedExtractor
{
    private const int HandshakeSize = 1 + 2 * HandshakeDigest.PacketSize;
    private const int MaxStream = 16 * 1024;
    private const int MaxPerKind = 3;

    public static int Run(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: seeds <capture folder> <name> <corpus folder> [rtmp|rtmpe|rtmpt]");
            return 2;
        }
        var (captures, name, corpus) = (args[0], args[1], args[2]);
        var kind = args.Length > 3 ? args[3] : "rtmp";
        var count = 0;
        foreach (var up in Directory.GetFiles(captures, "*.c2s").Order(StringComparer.Ordinal))
        {
            var c2s = File.ReadAllBytes(up);
            var s2c = File.ReadAllBytes(Path.ChangeExtension(up, ".s2c"));
            var label = $"{name}-{Path.GetFileNameWithoutExtension(up)}";
            count += kind switch
            {
                "rtmpt" => Rtmpt(corpus, label, c2s),
                "rtmpe" => Rtmpe(corpus, label, c2s, s2c),
                _ => Rtmp(corpus, label, c2s, s2c),
            };
        }
        Console.WriteLine($"{name}: {count} seeds");
        return 0;
    }

    private static int Rtmp(string corpus, string label, byte[] c2s, byte[] s2c)
    {
        if (c2s.Length < HandshakeSize || s2c.Length < HandshakeSize)
        {
            return 0;
        }
        var n = 0;
        n += Write(corpus, "handshake-server", label, [0, .. c2s[..HandshakeSize]]);
        n += Write(corpus, "handshake-server", label + "-signed", [(byte)HandshakeFixups.SignSecondPacket, .. c2s[..HandshakeSize]]);
        n += Write(corpus, "handshake-client", label, [0, .. s2c[..HandshakeSize]]);
        var up = Trim(c2s[HandshakeSize..]);
        var down = Trim(s2c[HandshakeSize..]);
        n += Write(corpus, "chunk", label + "-up", up);
        n += Write(corpus, "chunk", label + "-down", down);
        n += Write(corpus, "session", label, up);
        n += Payloads(corpus, label, c2s[HandshakeSize..]);
        return n;
    }

    private static int Rtmpe(string corpus, string label, byte[] c2s, byte[] s2c)
    {
        var n = 0;
        if (c2s.Length >= HandshakeSize)
        {
            n += Write(corpus, "rtmpe", label + "-server", [0, .. c2s[..Math.Min(c2s.Length, HandshakeSize + 2048)]]);
        }
        if (s2c.Length >= HandshakeSize)
        {
            n += Write(corpus, "rtmpe", label + "-client", [0x80, .. s2c[..Math.Min(s2c.Length, HandshakeSize + 2048)]]);
        }
        return n;
    }

    private static int Rtmpt(string corpus, string label, byte[] c2s)
    {
        if (c2s.Length == 0)
        {
            return 0;
        }
        // Real ids are random: SID stands for "the session last opened" in the target.
        var text = Encoding.Latin1.GetString(c2s);
        text = SessionId().Replace(text, "/$1/SID/");
        var bytes = Encoding.Latin1.GetBytes(text);
        return Write(corpus, "rtmpt", label, bytes[..Math.Min(bytes.Length, 32 * 1024)]);
    }

    /// <summary>The first few AMF commands, data messages, media tags and aggregates of a client's chunk stream.</summary>
    private static int Payloads(string corpus, string label, byte[] stream)
    {
        var written = new Dictionary<string, int>();
        var n = 0;
        using var reader = new ChunkReader();
        var buffer = new ReadOnlySequence<byte>(stream);
        try
        {
            while (reader.TryRead(ref buffer, out var message))
            {
                var payload = message.Span.ToArray();
                var (target, seed) = message.Type switch
                {
                    RtmpMessageType.CommandAmf0 or RtmpMessageType.DataAmf0 => ("amf0", payload),
                    RtmpMessageType.CommandAmf3 or RtmpMessageType.DataAmf3 when payload.Length > 1 => ("amf0", payload[1..]),
                    RtmpMessageType.Video => ("flv", [0, .. payload[..Math.Min(payload.Length, 256)]]),
                    RtmpMessageType.Audio => ("flv", [1, .. payload[..Math.Min(payload.Length, 256)]]),
                    RtmpMessageType.Aggregate => ("flv", [2, .. payload[..Math.Min(payload.Length, 4096)]]),
                    _ => ("", payload),
                };
                var key = target + (target == "flv" ? seed[0].ToString() : "");
                message.Release();
                if (target.Length == 0 || written.GetValueOrDefault(key) >= MaxPerKind)
                {
                    continue;
                }
                written[key] = written.GetValueOrDefault(key) + 1;
                n += Write(corpus, target, $"{label}-{key}-{written[key]}", seed);
            }
        }
        catch (RtmpProtocolException)
        {
        }
        return n;
    }

    private static byte[] Trim(byte[] bytes) => bytes[..Math.Min(bytes.Length, MaxStream)];

    private static int Write(string corpus, string target, string label, byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return 0;
        }
        var folder = Path.Combine(corpus, target);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, label), bytes);
        return 1;
    }

    [GeneratedRegex(@"/(send|idle|close)/[^/\s]+/")]
    private static partial Regex SessionId();
}
