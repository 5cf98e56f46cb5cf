namespace RtmpRelay.Destinations;

/// <summary>
/// A typed failure of one attempt. <see cref="Detail"/> is in words and holds no secret (no stream key, no query);
/// for a rejection, <see cref="Code"/> and <see cref="Description"/> are the platform's own onStatus words.
/// </summary>
internal sealed record DestinationFailure(DestinationFailureKind Kind, string Detail, string? Code = null, string? Description = null)
{
    public static DestinationFailure Rejected(string call, string? code, string? description) =>
        new(DestinationFailureKind.Rejected, $"{call} rejected by the destination", code ?? "(no code)", description ?? "");

    /// <summary>What an operator reads: the kind, then the detail (and the platform's words for a rejection).</summary>
    public override string ToString() => Kind == DestinationFailureKind.Rejected
        ? $"{Detail}: {Code} {Description}".TrimEnd()
        : Detail;
}

/// <summary>Ends an attempt with a typed <see cref="DestinationFailure"/>.</summary>
internal sealed class DestinationFailureException(DestinationFailure failure) : Exception(failure.ToString())
{
    public DestinationFailure Failure { get; } = failure;
}
