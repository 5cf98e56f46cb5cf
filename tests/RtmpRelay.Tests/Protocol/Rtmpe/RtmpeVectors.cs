using System.Numerics;

namespace RtmpRelay.Tests.Protocol.Rtmpe;

/// <summary>TV6 and TV7 from docs/protocol/handshake.md section 4 (Diffie-Hellman and RC4).</summary>
internal static class RtmpeVectors
{
    public const string A =
        "a0c1f547ad5dff7b427d7c09796298448f5ef3b2c5000a3222651ecb2f53d20024619ed31e2d7577628962de190272633d927b9c06a554df61c68bf73c66c181ba1353d7ea6bd55f9fade8394a30477b2e4033e74ec192a33d3b5801caa50430fb874a8bb1c6f2fd121a446c364207a0d6cb18e4dc0c3729879976f261c8396c";

    public const string B =
        "66c721ebeabda6b6855dd658eddb5c8feaa6a3a0394a728c36f1c6f84899d7130f32d97c762eed8dc4ddddfef51ab4ece4cb39014a402267ef1a6d3809ac47fd69e10519c289cfa1cc6aa79fd10ce1d0f57ab18be70a43c47813685cf6c12866510e5cc9dbaae24c8352a568b88d156382a2fcc520ca13e23b6b38a33eb5201f";

    public const string Secret =
        "aa81c917196dacfb7b5fe3074ec73d0fa3c84ad35ad1e7140f9012451e441a801f956d77c2f00fe8dceeeef72305ce7e8ffd7500239068e1aefda75c7274b3f8625e7ab05c6b4c9e21afcd7f0c2679f6032abea7cf8811e005fca908c127e556a3ffcab008542ea9c5e57b0e14e161cf0f2d52bb02759b9990741fb4bf4a74e5";

    public const string ClientToServerKey = "3ce380b53ce3e66815010b48cf87d282";
    public const string ClientToServerKeystream0 = "c6c76b8e6c6788ffb4559272cf45ffa5";
    public const string ClientToServerKeystream1536 = "b6f8e2c99e755b29f3c232a1c77dd3fb";

    public const string ServerToClientKey = "c80e274b164bbb9c191cf2e5ab812b22";
    public const string ServerToClientKeystream0 = "97266d6207616dd313374a332fca763e";
    public const string ServerToClientKeystream1536 = "5344dc2074cbc3a649d988eab04a95e0";

    public const string BPrime =
        "0b5c346ccdee78b2f8d0cad5f046c32d4e83988e9010b43c929206fb032491e1a9011c4335fe0c0822832ab5c47b1f99aa9231df88d3eabf6b1c963562864aeae81cbb19fc074215cf2c9dab144e0fe617eefd19f8c6d5fb4b74f5dd0ef3ad9d13e63466f2ee47829ba58548f09543b226c4975a43f2c43c9ada6db104c3d89d";

    public const string PaddedSecretPrime =
        "00839863cc1e8b796aabd322acf2e87f66396feec7c63480146b4b4db08ec004e363996cc619f9141c4218de678c4e904915fafe8dfdee79bd59d55d340a15b6f83ee3fe13c156b37c19569cba2494d6054b55fc598f860546890d831fd63488e3a90ec5f777759941d1b02cd9ea7e3c451d82dac9e6bfcc8e0c7a1251911b1b";

    public const string ClientToServerKeyPrime = "2e4be1c0fea722f6480c1d713c94c449";
    public const string ServerToClientKeyPrime = "597263655474578750161953d975d6ee";

    /// <summary>RFC 2409 group 2 prime.</summary>
    public const string P =
        "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7edee386bfb5a899fa5ae9f24117c4b1fe649286651ece65381ffffffffffffffff";

    /// <summary>Client private key a: bytes 01..7f (127 bytes, big-endian).</summary>
    public static byte[] PrivateA() => Enumerable.Range(0x01, 0x7f).Select(i => (byte)i).ToArray();

    /// <summary>Server private key b: bytes 80..fe (127 bytes, big-endian).</summary>
    public static byte[] PrivateB() => Enumerable.Range(0x80, 0x7f).Select(i => (byte)i).ToArray();

    /// <summary>b' = b + 114: its shared secret with A has a zero top byte.</summary>
    public static byte[] PrivateBPrime() => Add(PrivateB(), 114);

    /// <summary>A 128-byte big-endian key from a number.</summary>
    public static byte[] Key128(BigInteger value)
    {
        byte[] bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] key = new byte[128];
        bytes.CopyTo(key, 128 - bytes.Length);
        return key;
    }

    public static BigInteger PrimeP => BigInteger.Parse("0" + P, System.Globalization.NumberStyles.HexNumber);

    private static byte[] Add(byte[] bigEndian, int addend)
    {
        var value = new BigInteger(bigEndian, isUnsigned: true, isBigEndian: true) + addend;
        return value.ToByteArray(isUnsigned: true, isBigEndian: true);
    }
}
