@carepath
Feature: A protocol is checked before any patient is evaluated
  Mistakes in the protocol itself are reported with a code, the line and a hint, so a protocol
  that compares a count with an age, or names a criterion that does not exist, is never run.

  Scenario: The seed protocol is accepted
    Given the protocol "protocols/severance_2011.care"
    When the protocol is checked
    Then the protocol is accepted

  Scenario: A misspelt criterion is an unknown name
    Given the protocol:
      """
      protocol misspelt "A misspelt criterion"
      input
        wbc_at_diagnosis : quantity /uL plausible 100 /uL .. 2000000 /uL
      criterion hyperleukocytosis "WBC of 50,000/µL or more": wbc_at_diagnosis >= 50000 /uL
      classify risk_group "Risk group":
        high     when hyperleukocytosys
        standard otherwise
      """
    When the protocol is checked
    Then the protocol is rejected with "CP201" at line 6 mentioning "hyperleukocytos"

  Scenario: Comparing a WBC with an age is a unit dimension mismatch
    Given the protocol:
      """
      protocol mixed_up "A count compared with an age"
      input
        wbc_at_diagnosis : quantity /uL plausible 100 /uL .. 2000000 /uL
      criterion hyperleukocytosis "WBC of 50,000/µL or more": wbc_at_diagnosis >= 6 months
      """
    When the protocol is checked
    Then the protocol is rejected with "CP302" at line 4

  Scenario: A classification without "otherwise" is accepted with a warning
    Given the protocol:
      """
      protocol no_otherwise "Only the high-risk branch"
      input
        wbc_at_diagnosis : quantity /uL plausible 100 /uL .. 2000000 /uL
      criterion hyperleukocytosis "WBC of 50,000/µL or more": wbc_at_diagnosis >= 50000 /uL
      classify risk_group "Risk group":
        high when hyperleukocytosis
      """
    And a patient "low" with:
      | field            | value     |
      | wbc_at_diagnosis | 8,000 /uL |
    When the protocol is evaluated
    Then the protocol is accepted with warning "CP402"
    And patient "low" is accepted
    And the decision "risk_group" for patient "low" is "undetermined"

  Scenario: A site's override that takes busulfan above the label is warned about, with a patient
    Given the protocol "protocols/hsct_conditioning.care"
    And the parameter "busulfan_per_dose_light" is "1.3 mg/kg"
    When the protocol is checked
    Then the protocol is accepted with warning "CP309"

  Scenario: The protocol's own values above a limit are its published choice: no warning without an override
    Given the protocol "protocols/hsct_conditioning.care"
    When the protocol is checked
    Then the protocol is accepted
