package pgwire

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Structs, maps and nested lists have no PostgreSQL type of their own here:
// they are presented as json (114) and printed as JSON text, in both
// formats (json's binary form is its text).

// jsonAppender prints row i of arr as a JSON value.
func jsonAppender(arr arrow.Array, o encodeOptions) appender {
	c := jsonColumn(arr, arr.DataType(), nil, o)
	return c.app
}

// jsonColumn returns the JSON encoder of arr; md is the metadata of the
// field arr belongs to.
func jsonColumn(arr arrow.Array, dt arrow.DataType, md *arrow.Metadata, o encodeOptions) column {
	var meta arrow.Metadata
	if md != nil {
		meta = *md
	}
	switch a := arr.(type) {
	case *array.Struct:
		st := dt.(*arrow.StructType)
		fields := make([]column, st.NumFields())
		for j, f := range st.Fields() {
			fields[j] = jsonColumn(a.Field(j), f.Type, &f.Metadata, o)
		}
		return newColumn(arr, func(dst []byte, i int) []byte {
			dst = append(dst, '{')
			for j := range fields {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = appendJSONString(dst, st.Field(j).Name)
				dst = append(dst, ':')
				dst = fields[j].appendJSON(dst, i)
			}
			return append(dst, '}')
		})
	case *array.Map:
		mt := dt.(*arrow.MapType)
		keys := a.Keys()
		keyText := newColumn(keys, textAppender(keys, kindOf(mt.KeyType(), arrow.Metadata{}), o))
		_, keyIsString := keys.(*array.String)
		itemMeta := mt.ItemField().Metadata
		items := jsonColumn(a.Items(), mt.ItemType(), &itemMeta, o)
		return newColumn(arr, func(dst []byte, i int) []byte {
			start, end := a.ValueOffsets(i)
			dst = append(dst, '{')
			for j := int(start); j < int(end); j++ {
				if j > int(start) {
					dst = append(dst, ',')
				}
				if keyIsString {
					dst = appendJSONString(dst, keys.(*array.String).Value(j))
				} else {
					p := len(dst)
					dst = keyText.app(dst, j)
					dst = quoteJSONTail(dst, p)
				}
				dst = append(dst, ':')
				dst = items.appendJSON(dst, j)
			}
			return append(dst, '}')
		})
	case array.ListLike:
		ef := dt.(arrow.ListLikeType).ElemField()
		elems := jsonColumn(a.ListValues(), ef.Type, &ef.Metadata, o)
		return newColumn(arr, func(dst []byte, i int) []byte {
			start, end := a.ValueOffsets(i)
			dst = append(dst, '[')
			for j := int(start); j < int(end); j++ {
				if j > int(start) {
					dst = append(dst, ',')
				}
				dst = elems.appendJSON(dst, j)
			}
			return append(dst, ']')
		})
	}
	k := kindOf(dt, meta)
	text := textAppender(arr, k, o)
	switch k {
	case kindBool:
		b := arr.(*array.Boolean)
		return newColumn(arr, func(dst []byte, i int) []byte {
			if b.Value(i) {
				return append(dst, "true"...)
			}
			return append(dst, "false"...)
		})
	case kindInt2, kindInt4, kindInt8, kindOID, kindNumeric, kindJSON:
		return newColumn(arr, text)
	case kindFloat4, kindFloat8:
		return newColumn(arr, func(dst []byte, i int) []byte {
			p := len(dst)
			dst = text(dst, i)
			if c := dst[p]; c == 'N' || c == 'I' || (c == '-' && dst[p+1] == 'I') {
				return quoteJSONTail(dst, p)
			}
			return dst
		})
	}
	return newColumn(arr, func(dst []byte, i int) []byte {
		p := len(dst)
		return quoteJSONTail(text(dst, i), p)
	})
}

// appendJSON appends row i as JSON, null included.
func (c *column) appendJSON(dst []byte, i int) []byte {
	if c.isNull(i) {
		return append(dst, "null"...)
	}
	return c.app(dst, i)
}

// quoteJSONTail turns dst[p:] into a JSON string literal in place.
func quoteJSONTail(dst []byte, p int) []byte {
	n := len(dst) - p
	extra := 2
	for _, c := range dst[p:] {
		if c < 0x20 {
			extra += 5
		} else if c == '"' || c == '\\' {
			extra++
		}
	}
	dst = append(dst, make([]byte, extra)...)
	// Copy backwards so the unquoted text is not overwritten before it is read.
	w := len(dst) - 1
	dst[w] = '"'
	w--
	for r := p + n - 1; r >= p; r-- {
		c := dst[r]
		switch {
		case c == '"' || c == '\\':
			dst[w] = c
			dst[w-1] = '\\'
			w -= 2
		case c < 0x20:
			dst[w-5], dst[w-4], dst[w-3], dst[w-2] = '\\', 'u', '0', '0'
			dst[w-1], dst[w] = hexDigits[c>>4], hexDigits[c&15]
			w -= 6
		default:
			dst[w] = c
			w--
		}
	}
	dst[w] = '"'
	return dst
}

// appendJSONString appends s as a JSON string literal.
func appendJSONString(dst []byte, s string) []byte {
	p := len(dst)
	return quoteJSONTail(append(dst, s...), p)
}
