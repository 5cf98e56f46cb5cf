using RtmpRelay.Fuzz.Targets;
using RtmpRelay.Protocol;

namespace RtmpRelay.Fuzz;

/// <summary>
/// Every fuzz target, by name: one entry point each, shared by the AFL driver (Program.cs) and the corpus replay test
/// (RtmpRelay.Tests' CorpusReplayTests), so a committed input means the same to both.
/// </summary>
public static class FuzzTargets
{
    private static readonly Dictionary<string, Action<ReadOnlyMemory<byte>>> Targets = new(StringComparer.Ordinal)
    {
        ["chunk"] = ChunkTarget.Run,
        ["handshake-server"] = HandshakeServerTarget.Run,
        ["handshake-client"] = HandshakeClientTarget.Run,
        ["amf0"] = Amf0Target.Run,
        ["amf3"] = Amf3Target.Run,
        ["session"] = SessionTarget.Run,
        ["rtmpt"] = RtmptTarget.Run,
        ["rtmpe"] = RtmpeTarget.Run,
        ["flv"] = FlvTarget.Run,
    };

    /// <summary>The target names, which are also the corpus folder names.</summary>
    public static IReadOnlyCollection<string> Names => Targets.Keys;

    /// <summary>
    /// The protocol's own failures: a peer broke the protocol or a limit (<see cref="RtmpProtocolException"/>, and
    /// <see cref="RtmpRelay.Protocol.Amf.AmfException"/>, which derives from it). The relay closes such a connection
    /// with the reason; they are the expected outcome of hostile input. Anything else is a bug.
    /// </summary>
    public static bool IsExpected(Exception exception) => exception is RtmpProtocolException;

    /// <summary>Feeds one input to a target. Throws only what is not expected (see <see cref="IsExpected"/>).</summary>
    public static void Run(string target, ReadOnlyMemory<byte> input)
    {
        if (!Targets.TryGetValue(target, out var run))
        {
            throw new ArgumentException($"unknown fuzz target '{target}' (targets: {string.Join(", ", Names)})", nameof(target));
        }
        try
        {
            run(input);
        }
        catch (Exception ex) when (IsExpected(ex))
        {
        }
    }
}
