using System.Collections;

namespace RtmpRelay.Protocol.Amf;

/// <summary>
/// An AMF object, typed object, ECMA array or (AMF3) dictionary: string-keyed properties kept in the order
/// they were added. Keys compare ordinally. Missing keys read as <c>null</c> through the indexer.
/// </summary>
/// <remarks>
/// Usable with collection initializers: <c>new AmfObject { { "app", "live" }, { "type", "nonprivate" } }</c>.
/// </remarks>
public sealed class AmfObject : IEnumerable<KeyValuePair<string, object?>>
{
    // Small objects (the common case) are searched linearly; large ones (ECMA arrays from a peer can hold
    // thousands of keys) get a hash index so decoding stays linear rather than quadratic.
    private const int IndexThreshold = 8;

    private readonly List<KeyValuePair<string, object?>> _items = [];
    private Dictionary<string, int>? _index;

    /// <summary>Creates an empty anonymous object.</summary>
    public AmfObject() { }

    /// <summary>Creates an empty object with the given class name (a typed object when not null or empty).</summary>
    /// <param name="className">The class name, or null for an anonymous object.</param>
    public AmfObject(string? className)
    {
        ClassName = className;
    }

    /// <summary>
    /// Class name of an AMF0 typed object or an AMF3 object; null (or empty) for anonymous objects.
    /// </summary>
    public string? ClassName { get; set; }

    /// <summary>True when this is an ECMA (associative) array rather than an object.</summary>
    public bool IsEcmaArray { get; set; }

    /// <summary>Number of properties.</summary>
    public int Count => _items.Count;

    /// <summary>
    /// Gets a property (null when missing) or sets one (replacing the value in place if the key exists,
    /// otherwise appending it).
    /// </summary>
    /// <param name="key">The property name.</param>
    public object? this[string key]
    {
        get => TryGetValue(key, out var value) ? value : null;
        set
        {
            ArgumentNullException.ThrowIfNull(key);
            int i = IndexOf(key);
            if (i >= 0)
                _items[i] = new KeyValuePair<string, object?>(key, value);
            else
                Append(key, value);
        }
    }

    /// <summary>Appends a property.</summary>
    /// <param name="key">The property name; must not already be present.</param>
    /// <param name="value">The value.</param>
    /// <returns>This object, for chaining.</returns>
    /// <exception cref="ArgumentException">The key is already present.</exception>
    public AmfObject Add(string key, object? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (IndexOf(key) >= 0)
            throw new ArgumentException($"AMF object already has a property named '{key}'", nameof(key));
        Append(key, value);
        return this;
    }

    /// <summary>Looks a property up.</summary>
    /// <param name="key">The property name.</param>
    /// <param name="value">The value when found, otherwise null.</param>
    /// <returns>True when the property exists (even if its value is null).</returns>
    public bool TryGetValue(string key, out object? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        int i = IndexOf(key);
        value = i >= 0 ? _items[i].Value : null;
        return i >= 0;
    }

    /// <summary>True when the property exists.</summary>
    /// <param name="key">The property name.</param>
    public bool ContainsKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return IndexOf(key) >= 0;
    }

    /// <summary>The property as a string, or null when missing or not a string.</summary>
    /// <param name="key">The property name.</param>
    public string? GetString(string key) => this[key] as string;

    /// <summary>
    /// The property as a number, or null when missing or not numeric. Decoded numbers are doubles; other
    /// CLR numeric types (as put in by hand) are converted.
    /// </summary>
    /// <param name="key">The property name.</param>
    public double? GetNumber(string key) => this[key] switch
    {
        double d => d,
        int i => i,
        long l => l,
        float f => f,
        uint u => u,
        ulong ul => ul,
        short s => s,
        ushort us => us,
        byte b => b,
        sbyte sb => sb,
        decimal m => (double)m,
        _ => null,
    };

    /// <summary>The property as a boolean, or null when missing or not a boolean.</summary>
    /// <param name="key">The property name.</param>
    public bool? GetBoolean(string key) => this[key] is bool b ? b : null;

    /// <summary>The property as a nested object, or null when missing or not an object.</summary>
    /// <param name="key">The property name.</param>
    public AmfObject? GetObject(string key) => this[key] as AmfObject;

    /// <summary>Enumerates the properties in order.</summary>
    public List<KeyValuePair<string, object?>>.Enumerator GetEnumerator() => _items.GetEnumerator();

    IEnumerator<KeyValuePair<string, object?>> IEnumerable<KeyValuePair<string, object?>>.GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc />
    public override string ToString() =>
        $"{(IsEcmaArray ? "ECMA array" : string.IsNullOrEmpty(ClassName) ? "object" : ClassName)} ({Count} properties)";

    private int IndexOf(string key)
    {
        if (_index is not null)
            return _index.TryGetValue(key, out int i) ? i : -1;
        for (int i = 0; i < _items.Count; i++)
        {
            if (string.Equals(_items[i].Key, key, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }

    private void Append(string key, object? value)
    {
        _items.Add(new KeyValuePair<string, object?>(key, value));
        if (_index is not null)
        {
            _index.Add(key, _items.Count - 1);
        }
        else if (_items.Count > IndexThreshold)
        {
            _index = new Dictionary<string, int>(_items.Count * 2, StringComparer.Ordinal);
            for (int i = 0; i < _items.Count; i++)
                _index.Add(_items[i].Key, i);
        }
    }
}
