import { ColumnTypeSchema, type Column, type ColumnType } from '@/server/pipeline/types';
import { buttonClass, iconButtonClass, inputClass, selectClass } from '@/components/ui/styles';
import { readColumns } from './config-values';
import { issueAt, type FieldOf, type WidgetProps } from './widget-types';

const columnTypes = ColumnTypeSchema.options;
const isColumnType = (value: string): value is ColumnType => ColumnTypeSchema.safeParse(value).success;

/** An editable list of column names and types. */
export function SchemaWidget({ field, value, onChange, describedBy, issues }: WidgetProps<FieldOf<'schema'>>) {
  const columns = readColumns(value);
  const update = (index: number, patch: Partial<Column>) => onChange(columns.map((c, i) => (i === index ? { ...c, ...patch } : c)));
  const remove = (index: number) => onChange(columns.filter((_, i) => i !== index));
  const add = () => onChange([...columns, { name: `column_${columns.length + 1}`, type: 'string' }]);

  return (
    <fieldset className="space-y-1.5" aria-describedby={describedBy}>
      <legend className="mb-1 text-xs font-medium text-neutral-300">{field.label}</legend>
      {columns.length === 0 ? <p className="text-xs text-neutral-500">No columns declared. Upload a file or add them by hand.</p> : null}
      {columns.length > 0 ? (
        <table className="w-full text-xs">
          <thead className="text-left text-neutral-500">
            <tr>
              <th className="pb-1 font-normal">Name</th>
              <th className="pb-1 font-normal">Type</th>
              <th className="w-6" />
            </tr>
          </thead>
          <tbody>
            {columns.map((column, i) => (
              <tr key={i}>
                <td className="pr-1 pb-1">
                  <input
                    type="text"
                    className={`${inputClass} text-xs`}
                    value={column.name}
                    onChange={(e) => update(i, { name: e.target.value })}
                    aria-label={`Column ${i + 1} name`}
                    aria-invalid={issueAt(issues, i, 'name') || issueAt(issues, i)}
                    spellCheck={false}
                  />
                </td>
                <td className="pr-1 pb-1">
                  <select
                    className={`${selectClass} text-xs`}
                    value={column.type}
                    onChange={(e) => {
                      if (isColumnType(e.target.value)) update(i, { type: e.target.value });
                    }}
                    aria-label={`Column ${i + 1} type`}
                  >
                    {columnTypes.map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </select>
                </td>
                <td className="pb-1">
                  <button type="button" className={iconButtonClass} onClick={() => remove(i)} aria-label={`Remove column ${i + 1}`} title="Remove column">
                    ×
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <button type="button" className={`${buttonClass.secondary} px-2 py-0.5 text-xs`} onClick={add}>
        Add column
      </button>
    </fieldset>
  );
}
