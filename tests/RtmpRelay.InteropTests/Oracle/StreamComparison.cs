namespace RtmpRelay.InteropTests.Oracle;

/// <summary>How one stream of a recording or player output compares with the source.</summary>
/// <param name="MediaType">"video" or "audio".</param>
/// <param name="ExpectedCount">Packets in the source (or, for a player, in the matched run of the source).</param>
/// <param name="ActualCount">Packets in the file under test.</param>
/// <param name="FirstMismatchIndex">Index in this stream of the first packet whose size or MD5 differs (or that is missing or extra at the end); null when all match.</param>
/// <param name="Missing">Source packets absent from the file (by alignment on size and MD5).</param>
/// <param name="Extra">Packets of the file that are not in the source.</param>
/// <param name="TimestampMismatches">Matched packets whose dts or pts is not at the file's constant offset from the source's.</param>
internal sealed record StreamComparison(
    string MediaType,
    int ExpectedCount,
    int ActualCount,
    int? FirstMismatchIndex,
    int Missing,
    int Extra,
    int TimestampMismatches);
