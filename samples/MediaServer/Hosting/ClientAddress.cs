using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MediaServer.Hosting;

/// <summary>
/// The unit a per-client budget counts by: an IPv4 address (an IPv4-mapped IPv6 address counts as its IPv4 address),
/// or the /64 prefix of an IPv6 address, since one IPv6 host is commonly given a whole /64.
/// </summary>
internal readonly record struct ClientAddress(UInt128 Key, bool IsIPv6)
{
    /// <summary>The client unit of <paramref name="endPoint"/>; an unknown endpoint counts as one shared unit.</summary>
    public static ClientAddress Of(EndPoint? endPoint)
    {
        if (endPoint is not IPEndPoint { Address: { } address })
        {
            return default;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return new ClientAddress(BinaryPrimitives.ReadUInt32BigEndian(bytes), IsIPv6: false);
        }

        // The first 64 bits: the network prefix a single IPv6 client controls.
        return new ClientAddress((UInt128)BinaryPrimitives.ReadUInt64BigEndian(bytes) << 64, IsIPv6: true);
    }

    public override string ToString()
    {
        byte[] bytes = new byte[IsIPv6 ? 16 : 4];
        if (IsIPv6)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes, (ulong)(Key >> 64));
            return new IPAddress(bytes) + "/64";
        }

        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)Key);
        return new IPAddress(bytes).ToString();
    }
}
