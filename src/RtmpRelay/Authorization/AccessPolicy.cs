using System.Collections.Immutable;
using System.Net;
using System.Text;
using RtmpRelay.Options;

namespace RtmpRelay.Authorization;

/// <summary>One application's rule for one action (publish or play), parsed once per configuration snapshot.</summary>
internal sealed class AccessPolicy
{
    private AccessPolicy(ImmutableArray<IPNetwork> allowFrom, ImmutableArray<(string Label, byte[] Key)> keys, Uri? callback, TimeSpan callbackTimeout)
    {
        AllowFrom = allowFrom;
        Keys = keys;
        Callback = callback;
        CallbackTimeout = callbackTimeout;
    }

    public static AccessPolicy Open { get; } = new([], [], null, TimeSpan.Zero);

    public ImmutableArray<IPNetwork> AllowFrom { get; }
    public ImmutableArray<(string Label, byte[] Key)> Keys { get; }
    public Uri? Callback { get; }
    public TimeSpan CallbackTimeout { get; }

    /// <summary>No rule at all: anyone who can connect may.</summary>
    public bool IsOpen => AllowFrom.IsEmpty && Keys.IsEmpty && Callback is null;

    /// <summary>Whether only keys or addresses decide, so no callback has to be awaited.</summary>
    public bool NeedsCallback => Callback is not null;

    /// <summary>From validated options.</summary>
    public static AccessPolicy From(AccessOptions options) => new(
        [.. options.AllowFrom.Select(range => IPNetwork.Parse(range))],
        [.. options.Keys.Select(pair => (pair.Key, Encoding.UTF8.GetBytes(pair.Value)))],
        string.IsNullOrEmpty(options.Callback.Url) ? null : new Uri(options.Callback.Url),
        options.Callback.Timeout);

    public bool AllowsAddress(IPAddress? address)
    {
        if (AllowFrom.IsEmpty)
        {
            return true;
        }
        if (address is null)
        {
            return false;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        foreach (var range in AllowFrom)
        {
            if (range.Contains(address))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The label of the key presented, compared in constant time against every configured key; null when none matches.</summary>
    public string? MatchKey(string? presented)
    {
        if (presented is null || Keys.IsEmpty)
        {
            return null;
        }
        var bytes = Encoding.UTF8.GetBytes(presented);
        string? label = null;
        foreach (var (candidate, key) in Keys)
        {
            // Every key is compared, and each comparison takes the same time whatever the bytes, so the answer's
            // timing says nothing about how close a guess was.
            if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(bytes, key) && label is null)
            {
                label = candidate;
            }
        }
        return label;
    }
}
