using System.Buffers;

namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>
/// Rewrites the almost-JSON some firmwares send into JSON: missing commas between values (`}{`, `""`), invalid escapes
/// (`\'`), raw control characters in strings, trailing commas, bare words (`nan`), concatenated top-level objects (merged
/// into one) and garbage after the last object. Used only after a strict parse failed, so valid replies never pay for it.
/// </summary>
internal sealed class JsonRepair
{
    private const int MaxDepth = 64;
    private readonly byte[] _in;
    private readonly int _length;
    private readonly ArrayBufferWriter<byte> _out;
    private int _pos;

    private JsonRepair(byte[] input, int length)
    {
        _in = input;
        _length = length;
        _out = new ArrayBufferWriter<byte>(length + 64);
    }

    /// <summary>Repairs <paramref name="input"/>; on failure says at which byte and why.</summary>
    public static bool TryRepair(ReadOnlySpan<byte> input, out byte[] repaired, out long errorPosition, out string reason)
    {
        byte[] copy = input.ToArray();
        var repair = new JsonRepair(copy, copy.Length);
        try
        {
            repair.TopLevel();
            repaired = repair._out.WrittenSpan.ToArray();
            errorPosition = -1;
            reason = string.Empty;
            return true;
        }
        catch (RepairFailedException failure)
        {
            repaired = [];
            errorPosition = failure.Position;
            reason = failure.Message;
            return false;
        }
    }

    private void TopLevel()
    {
        SkipWhitespace();
        if (_pos >= _length)
        {
            throw Fail("the reply is empty");
        }

        if (_in[_pos] != (byte)'{')
        {
            // A bare array or scalar: repair it as one value and drop what follows.
            Value(0);
            return;
        }

        // Objects sent back to back ({..}{..}) are merged into one object so every section stays reachable.
        _pos++;
        Write((byte)'{');
        bool any = false;
        while (true)
        {
            any = ObjectMembers(1, any);
            SkipWhitespace();
            if (_pos < _length && _in[_pos] == (byte)'{')
            {
                _pos++;
                continue;
            }

            break; // end of input, or trailing garbage that belongs to no object
        }

        Write((byte)'}');
    }

    /// <summary>Reads members up to and including the closing brace; the opening brace is already consumed.</summary>
    private bool ObjectMembers(int depth, bool alreadyWroteMembers)
    {
        bool any = alreadyWroteMembers;
        while (true)
        {
            SkipWhitespace();
            if (_pos >= _length)
            {
                throw Fail("the reply ends inside an object (truncated?)");
            }

            byte c = _in[_pos];
            if (c == (byte)'}')
            {
                _pos++;
                return any;
            }

            if (c == (byte)',')
            {
                _pos++; // doubled or trailing comma
                continue;
            }

            if (c != (byte)'"')
            {
                throw Fail("expected a quoted property name");
            }

            if (any)
            {
                Write((byte)',');
            }

            String();
            SkipWhitespace();
            if (_pos >= _length || _in[_pos] != (byte)':')
            {
                throw Fail("expected ':' after a property name");
            }

            _pos++;
            Write((byte)':');
            SkipWhitespace();
            if (_pos < _length && _in[_pos] is (byte)',' or (byte)'}')
            {
                Write("null"u8); // "key":, — a value the firmware forgot
            }
            else
            {
                Value(depth);
            }

            any = true;
            SkipWhitespace();
            if (_pos < _length && _in[_pos] == (byte)',')
            {
                _pos++;
            }

            // Anything else (a quote: missing comma) loops round and is read as the next member.
        }
    }

    private void Array(int depth)
    {
        _pos++;
        Write((byte)'[');
        bool any = false;
        while (true)
        {
            SkipWhitespace();
            if (_pos >= _length)
            {
                throw Fail("the reply ends inside an array (truncated?)");
            }

            byte c = _in[_pos];
            if (c == (byte)']')
            {
                _pos++;
                Write((byte)']');
                return;
            }

            if (c == (byte)',')
            {
                _pos++;
                continue;
            }

            if (c == (byte)'}')
            {
                throw Fail("'}' where the array needs ']'");
            }

            if (any)
            {
                Write((byte)',');
            }

            Value(depth);
            any = true;
        }
    }

    private void Value(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Fail("the reply nests deeper than " + MaxDepth + " levels");
        }

        SkipWhitespace();
        if (_pos >= _length)
        {
            throw Fail("the reply ends where a value should be (truncated?)");
        }

        byte c = _in[_pos];
        switch (c)
        {
            case (byte)'{':
                _pos++;
                Write((byte)'{');
                ObjectMembers(depth + 1, false);
                Write((byte)'}');
                return;
            case (byte)'[':
                Array(depth + 1);
                return;
            case (byte)'"':
                String();
                return;
        }

        if (c == (byte)'-' || c is >= (byte)'0' and <= (byte)'9')
        {
            Number();
            return;
        }

        if (IsWordByte(c))
        {
            Word();
            return;
        }

        throw Fail("unexpected character where a value should be");
    }

    private void Number()
    {
        int start = _pos;
        if (_in[_pos] == (byte)'-')
        {
            _pos++;
        }

        while (_pos < _length && (_in[_pos] is >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-'))
        {
            _pos++;
        }

        ReadOnlySpan<byte> token = _in.AsSpan(start, _pos - start);
        if (IsStrictNumber(token))
        {
            Write(token);
            return;
        }

        // "-nan", "-inf", "01", "1." : not JSON numbers; keep the text so nothing is lost.
        while (_pos < _length && IsWordByte(_in[_pos]))
        {
            _pos++;
        }

        WriteQuoted(_in.AsSpan(start, _pos - start));
    }

    private void Word()
    {
        int start = _pos;
        while (_pos < _length && IsWordByte(_in[_pos]))
        {
            _pos++;
        }

        ReadOnlySpan<byte> word = _in.AsSpan(start, _pos - start);
        if (word.SequenceEqual("true"u8) || word.SequenceEqual("false"u8) || word.SequenceEqual("null"u8))
        {
            Write(word);
        }
        else
        {
            WriteQuoted(word); // nan, inf, Y, N: a firmware's bare word becomes a string
        }
    }

    private void String()
    {
        int quoteAt = _pos;
        _pos++;
        Write((byte)'"');
        while (true)
        {
            if (_pos >= _length)
            {
                _pos = quoteAt;
                throw Fail("a string is never closed (truncated?)");
            }

            byte c = _in[_pos];
            if (c == (byte)'"')
            {
                _pos++;
                Write((byte)'"');
                return;
            }

            if (c == (byte)'\\')
            {
                if (_pos + 1 >= _length)
                {
                    throw Fail("the reply ends inside an escape");
                }

                byte e = _in[_pos + 1];
                if (e is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t')
                {
                    Write(_in.AsSpan(_pos, 2));
                    _pos += 2;
                }
                else if (e == (byte)'u' && _pos + 5 < _length && IsHex(_in[_pos + 2]) && IsHex(_in[_pos + 3]) && IsHex(_in[_pos + 4]) && IsHex(_in[_pos + 5]))
                {
                    Write(_in.AsSpan(_pos, 6));
                    _pos += 6;
                }
                else
                {
                    // \' and friends: keep the character, drop the backslash.
                    _pos++;
                }

                continue;
            }

            if (c < 0x20)
            {
                WriteControlEscape(c);
                _pos++;
                continue;
            }

            Write(c);
            _pos++;
        }
    }

    private void SkipWhitespace()
    {
        while (_pos < _length && _in[_pos] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0)
        {
            _pos++;
        }
    }

    private static bool IsStrictNumber(ReadOnlySpan<byte> token)
    {
        int i = 0;
        if (i < token.Length && token[i] == (byte)'-')
        {
            i++;
        }

        if (i >= token.Length || token[i] is < (byte)'0' or > (byte)'9')
        {
            return false;
        }

        if (token[i] == (byte)'0' && i + 1 < token.Length && token[i + 1] is >= (byte)'0' and <= (byte)'9')
        {
            return false;
        }

        while (i < token.Length && token[i] is >= (byte)'0' and <= (byte)'9')
        {
            i++;
        }

        if (i < token.Length && token[i] == (byte)'.')
        {
            i++;
            int digits = i;
            while (i < token.Length && token[i] is >= (byte)'0' and <= (byte)'9')
            {
                i++;
            }

            if (i == digits)
            {
                return false;
            }
        }

        if (i < token.Length && token[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if (i < token.Length && token[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            int digits = i;
            while (i < token.Length && token[i] is >= (byte)'0' and <= (byte)'9')
            {
                i++;
            }

            if (i == digits)
            {
                return false;
            }
        }

        return i == token.Length;
    }

    private static bool IsWordByte(byte c) => c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'_' or (byte)'.' or (byte)'-' or (byte)'+';

    private static bool IsHex(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private void WriteQuoted(ReadOnlySpan<byte> text)
    {
        Write((byte)'"');
        Write(text);
        Write((byte)'"');
    }

    private void WriteControlEscape(byte c)
    {
        ReadOnlySpan<byte> hex = "0123456789abcdef"u8;
        Span<byte> escape = [(byte)'\\', (byte)'u', (byte)'0', (byte)'0', hex[c >> 4], hex[c & 0xF]];
        Write(escape);
    }

    private void Write(byte b)
    {
        _out.GetSpan(1)[0] = b;
        _out.Advance(1);
    }

    private void Write(ReadOnlySpan<byte> bytes) => _out.Write(bytes);

    private RepairFailedException Fail(string reason) => new(Math.Min(_pos, _length), reason);

    private sealed class RepairFailedException(long position, string message) : Exception(message)
    {
        public long Position { get; } = position;
    }
}
