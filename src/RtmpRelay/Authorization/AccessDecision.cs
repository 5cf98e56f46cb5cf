namespace RtmpRelay.Authorization;

/// <summary>
/// The answer: allowed with an identity (the key's label, "callback" or "anyone"), and possibly a new stream name
/// from the callback; or denied with a reason that holds no secret.
/// </summary>
internal sealed record AccessDecision(bool Allowed, string Identity, string Reason, string? Rename = null)
{
    public static AccessDecision Allow(string identity, string? rename = null) => new(true, identity, "", rename);

    public static AccessDecision Deny(string reason) => new(false, "", reason);
}
